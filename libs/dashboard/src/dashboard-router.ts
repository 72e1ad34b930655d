import * as fs from 'node:fs';
import * as path from 'node:path';
import express from 'express';

/** The pages' files: plain HTML, CSS and ES modules, served as they are (no build step). */
export const dashboardAssetsDir = path.join(__dirname, '..', 'public');

/**
 * The pages' own policy: only this origin's scripts, styles and data (no inline script or style,
 * nothing from the internet). Unlike helmet's default it has no `upgrade-insecure-requests`, which
 * would break every asset of a receiver reached over plain HTTP on a lab address.
 */
export const dashboardCsp = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Serves the dashboard: `GET /` to browsers (clients asking for JSON fall through to the service's
 * JSON index), `GET /dashboard` always, and its assets under `/dashboard/assets/`. The pages use the
 * public API only (plus `/v1/proxy/...`), with the admin token the user enters.
 */
export function dashboardRouter(opts: { assetsDir?: string } = {}): express.Router {
  const dir = opts.assetsDir ?? dashboardAssetsDir;
  const page = fs.readFileSync(path.join(dir, 'index.html'));
  const router = express.Router();
  const sendPage: express.RequestHandler = (_req, res) => {
    res.set({ 'Content-Security-Policy': dashboardCsp, 'Cache-Control': 'no-cache', 'Referrer-Policy': 'no-referrer' });
    res.type('html').send(page);
  };
  router.get('/', (req, res, next) => (req.accepts(['json', 'html']) === 'html' ? sendPage(req, res, next) : next()));
  router.get('/dashboard', sendPage);
  router.use(
    '/dashboard/assets',
    (_req, res, next) => {
      res.set('Content-Security-Policy', dashboardCsp);
      next();
    },
    express.static(dir, { index: false, fallthrough: false, maxAge: 0, dotfiles: 'deny' }),
  );
  return router;
}
