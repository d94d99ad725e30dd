/**
 * The operator console: static files built from console/ (scripts/build-console.ts) into
 * console/dist, served under /console with the strict browser headers. The console is a client
 * of the API like any other: it holds no secret of its own and gets nothing the API would not
 * give its key. Not API operations: absent from /openapi.json.
 */
import express, { Router, type RequestHandler } from 'express';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { browserHeaders } from '../browser-headers';

/** console/dist of the checkout or image this module runs from (api/routes from source, dist/api/routes compiled). */
export function defaultConsoleDir(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'console', 'dist');
}

// Bundles carry a content hash in their names (app-XXXXXXXX.js): cached for good. The page and
// anything else is revalidated on each load, so a rebuilt console is picked up at once.
const HASHED = /-[A-Z0-9]{8}\.(js|css)$/;
const cacheControl = (path: string) => (HASHED.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');

export function consoleRouter(dir: string): Router {
  const router = Router();
  const index = join(dir, 'index.html');
  let built = false;
  const requireBuilt: RequestHandler = (_req, res, next) => {
    built ||= existsSync(index);
    if (built) return next();
    res.status(503).type('text/plain').set('Cache-Control', 'no-store').send('the console is not built: run npm run build:console\n');
  };
  const assets = express.static(dir, { index: false, redirect: false, cacheControl: false, setHeaders: (res, path) => res.set('Cache-Control', cacheControl(path)) });
  // The app routes by the URL's fragment; any other path without a file extension is the page too.
  const page: RequestHandler = (req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || /\.[a-z0-9]+$/i.test(req.path)) return next();
    res.set('Cache-Control', 'no-cache').sendFile(index, { cacheControl: false });
  };
  router.use('/console', browserHeaders, requireBuilt, assets, page);
  return router;
}
