/**
 * Headers on every dashboard response: no framing (clickjacking), no MIME sniffing, no referrer
 * beyond our own origin, and a strict CSP: only this origin, and only the inline script and style
 * that carry this response's nonce (no 'unsafe-inline'). The SVG charts use presentation attributes,
 * which style-src does not govern.
 */
import { NONCE, secureHeaders } from 'hono/secure-headers'

export const dashboardHeaders = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    scriptSrc: [NONCE],
    styleSrc: [NONCE],
    imgSrc: ["'self'", 'data:'],
    objectSrc: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
  xFrameOptions: 'DENY',
  xContentTypeOptions: 'nosniff',
  referrerPolicy: 'same-origin',
})
