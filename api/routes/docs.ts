/**
 * /docs: the API reference, rendered by swagger-ui (npm swagger-ui-dist, served from
 * node_modules: no CDN, works offline) from /openapi.json. The page and its start script are
 * files of their own, so the page runs under a CSP without inline scripts.
 */
import express, { Router } from 'express';
import { dirname } from 'node:path';
import { browserHeaders } from '../browser-headers';

const SWAGGER_UI_DIR = dirname(require.resolve('swagger-ui-dist/package.json'));
const SWAGGER_UI_FILES = new Set(['/swagger-ui.css', '/swagger-ui-bundle.js', '/favicon-32x32.png']);

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>scrubbing-orchestrator API reference</title>
<link rel="icon" type="image/png" href="/docs/favicon-32x32.png">
<link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
<noscript>The reference needs JavaScript; the document itself is <a href="/openapi.json">/openapi.json</a>.</noscript>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/docs-init.js"></script>
</body>
</html>
`;

// No validator badge (it would call validator.swagger.io); credentials entered under Authorize stay in memory only.
const INIT = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  validatorUrl: null,
  persistAuthorization: false,
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
});
`;

export function docsRouter(): Router {
  const router = Router();
  const files = express.static(SWAGGER_UI_DIR, { index: false, redirect: false, cacheControl: false, setHeaders: (res) => res.set('Cache-Control', 'public, max-age=3600') });
  router.use('/docs', browserHeaders, (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (req.path === '/') return void res.set('Cache-Control', 'no-cache').type('html').send(PAGE);
    if (req.path === '/docs-init.js') return void res.set('Cache-Control', 'no-cache').type('js').send(INIT);
    if (SWAGGER_UI_FILES.has(req.path)) return files(req, res, next);
    next();
  });
  return router;
}
