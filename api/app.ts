/**
 * The Express application: JSON only, bounded bodies, bearer-token auth on /v1,
 * health routes open, every error rendered by one handler. Never logs bodies or headers.
 */
import express, { type RequestHandler } from 'express';
import { timingSafeEqual, createHash } from 'node:crypto';
import type { Client, Connection } from '@temporalio/client';
import { HttpError, renderError } from './http-errors';
import { scrubbingRouter } from './routes/scrubbing';
import type { ScrubbingService } from './scrubbing-service';

export interface AppDependencies {
  service: ScrubbingService;
  client: Client;
  connection: Connection;
  apiToken: string;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Compares digests, so neither the length nor the content of the token leaks through timing. */
export function bearerAuth(expectedToken: string): RequestHandler {
  const expected = digest(expectedToken);
  return (req, _res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer ([!-~]{1,512})$/.exec(header);
    if (!match || !timingSafeEqual(digest(match[1] as string), expected)) {
      next(new HttpError(401, 'unauthorized', 'missing or invalid bearer token'));
      return;
    }
    next();
  };
}

const requireJson: RequestHandler = (req, _res, next) => {
  const hasBody = Number(req.get('content-length') ?? 0) > 0 || req.get('transfer-encoding') !== undefined;
  if (hasBody && !req.is('application/json')) {
    next(new HttpError(415, 'unsupported_media_type', 'send JSON with Content-Type: application/json'));
    return;
  }
  next();
};

export function createApp(deps: AppDependencies): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    try {
      await deps.client.withDeadline(Date.now() + 3_000, () => deps.connection.healthService.check({}));
      res.json({ status: 'ready', temporal: 'ok' });
    } catch {
      res.status(503).json({ error: { code: 'temporal_unavailable', message: 'Temporal is unavailable', details: [] } });
    }
  });

  app.use('/v1', bearerAuth(deps.apiToken), requireJson, express.json({ limit: '64kb', strict: true }));
  app.use(scrubbingRouter(deps.service));
  app.use((_req, _res, next) => next(new HttpError(404, 'not_found', 'no such route')));
  app.use(renderError);
  return app;
}
