/**
 * `GET /docs`: Swagger UI rendering `/openapi.json`. Its bundle and stylesheet are swagger-ui-dist's
 * own files, served as static assets from this origin (`/vendor/…`, copied by
 * scripts/vendor-assets.mjs), so the page loads from no other host; a Content-Security-Policy of
 * 'self' holds it to that. The page and its small start-up script come from the Worker.
 */

/** Where the static assets are (public/vendor/, see scripts/vendor-assets.mjs). */
const SWAGGER_UI = { bundle: '/vendor/swagger-ui-dist/swagger-ui-bundle.js', css: '/vendor/swagger-ui-dist/swagger-ui.css' }

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
<link rel="stylesheet" href="${SWAGGER_UI.css}">
<style>body { margin: 0; } .swagger-ui .topbar { display: none; }</style>
</head>
<body>
<div id="swagger-ui"></div>
<script src="${SWAGGER_UI.bundle}"></script>
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

/** `GET /docs/init.js`: starts Swagger UI on the page (a file, since the CSP allows no inline script). */
export const DOCS_INIT = INIT
