import * as path from 'node:path';
import express from 'express';

/**
 * Interactive API docs from the swagger-ui-dist package's own files (nothing fetched at run time).
 * The page and its start script are served from here so helmet's default CSP (no inline script) holds.
 */
export function docsRouter(opts: { specUrl: string; title: string }): express.Router {
  const assets = path.dirname(require.resolve('swagger-ui-dist/package.json'));
  const router = express.Router();
  const page = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(opts.title)}</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body></html>
`;
  const init = `window.ui = SwaggerUIBundle({ url: ${JSON.stringify(opts.specUrl)}, dom_id: '#swagger-ui', deepLinking: true, persistAuthorization: true });\n`;
  router.get('/docs', (_req, res) => {
    res.type('html').send(page);
  });
  router.get('/docs/init.js', (_req, res) => {
    res.type('application/javascript').send(init);
  });
  router.use('/docs/assets', express.static(assets, { index: false, fallthrough: false }));
  return router;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
