/**
 * `GET /docs`: Swagger UI rendering `/openapi.json`. Its bundle and stylesheet come from the
 * swagger-ui-dist package as text modules and are served by this Worker, so the page loads from
 * no other host; a Content-Security-Policy of 'self' holds it to that.
 */
import bundle from 'swagger-ui-dist/swagger-ui-bundle.js'
import css from 'swagger-ui-dist/swagger-ui.css'

const stripSourceMap = (text: string) => text.replace(/\n?\/[/*]# sourceMappingURL=[^\n]*\s*$/, '')

const INIT = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
  defaultModelsExpandDepth: 0,
  docExpansion: 'none',
  filter: true,
});
`

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Revline API reference</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/docs/swagger-ui.css">
<style>body { margin: 0; } .swagger-ui .topbar { display: none; }</style>
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
`

export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

export const DOCS_PAGE = PAGE

/** The page's static files by name, with their content types. */
export const DOCS_ASSETS: Record<string, { type: string; body: string }> = {
  'swagger-ui-bundle.js': { type: 'text/javascript; charset=utf-8', body: stripSourceMap(bundle) },
  'swagger-ui.css': { type: 'text/css; charset=utf-8', body: stripSourceMap(css) },
  'init.js': { type: 'text/javascript; charset=utf-8', body: INIT },
}
