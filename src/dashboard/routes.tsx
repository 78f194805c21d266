/**
 * `/~{tenant}/dashboard`: the team's workspace. Sign-in by email link (auth-routes.tsx; following
 * the link is sign-in.tsx), My day, Leads (the CRM page and a lead's page), the pipeline board and
 * the contact and deal pages, search, Settings for admins, and the pages' scripts (assets.ts). Each part is its own small router, mounted
 * here under one set of security headers and one Origin check.
 */
import { Hono } from 'hono'
import { csrf as originCheck } from 'hono/csrf'
import { cleanQuery } from '../http/query-text'
import { tenantSlug } from '../http/tenant'
import type { AppEnv } from '../http/types'
import { assetRoutes } from './assets'
import { authRoutes } from './auth-routes'
import { crmRoutes } from './crm-routes'
import { myDayRoutes } from './my-day-routes'
import { recordRoutes } from './record-routes'
import { SEARCH_PATH, searchRoutes } from './search-routes'
import { dashboardHeaders } from './security-headers'
import { settingsRoutes } from './settings/routes'

export const dashboard = new Hono<AppEnv>()

// Every answer carries the security headers (CSP with a per-response nonce, no framing, nosniff);
// the pattern also matches /dashboard itself.
dashboard.use('/dashboard/*', dashboardHeaders)
// Unsafe methods must come from our own origin (the Origin header); session forms carry the session's CSRF token too.
// Query text no route should see is a 400, except on the search page: it is what a person typed,
// and the page says what is wrong with it (search-routes.tsx).
dashboard.use('/dashboard/*', originCheck(), (c, next) => (c.req.method === 'GET' && SEARCH_PATH.test(c.req.path) ? next() : cleanQuery(c, next)))

dashboard.get('/dashboard', (c) => c.redirect(`/~${tenantSlug(c)}/dashboard/my-day`, 303))

dashboard.route('/', assetRoutes)
dashboard.route('/', authRoutes)
dashboard.route('/', myDayRoutes)
dashboard.route('/', crmRoutes)
dashboard.route('/', recordRoutes)
dashboard.route('/', searchRoutes)
dashboard.route('/', settingsRoutes)
