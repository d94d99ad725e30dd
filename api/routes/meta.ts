/** Unauthenticated routes: liveness, readiness (Temporal and MongoDB) and the OpenAPI document (rendered at /docs: routes/docs.ts). */
import { Router } from 'express';
import type { Connection } from '@temporalio/client';
import type { Database } from '../../store/db';
import { openApiDocument } from '../openapi';

export function metaRouter(deps: { connection: Connection; database: Database }): Router {
  const router = Router();

  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/readyz', async (_req, res) => {
    const [temporal, mongodb] = await Promise.all([
      deps.connection
        .withDeadline(Date.now() + 3_000, () => deps.connection.healthService.check({}))
        .then(() => 'ok')
        .catch(() => 'unavailable'),
      (deps.database.connection.db?.admin().ping() ?? Promise.reject(new Error('not connected'))).then(() => 'ok').catch(() => 'unavailable'),
    ]);
    const ready = temporal === 'ok' && mongodb === 'ok';
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', temporal, mongodb });
  });

  let document: unknown;
  router.get('/openapi.json', (_req, res) => {
    document ??= openApiDocument();
    res.json(document);
  });

  return router;
}
