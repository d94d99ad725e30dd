/** Unauthenticated routes: liveness, readiness (Temporal and MongoDB), the OpenAPI document and a docs page. */
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

  router.get('/docs', (_req, res) => {
    document ??= openApiDocument();
    const paths = (document as { paths: Record<string, Record<string, { summary?: string }>> }).paths;
    const rows = Object.entries(paths)
      .flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => `<tr><td><code>${method.toUpperCase()}</code></td><td><code>${path}</code></td><td>${op.summary ?? ''}</td></tr>`))
      .join('\n');
    res
      .type('html')
      .send(
        `<!doctype html><html><head><meta charset="utf-8"><title>scrubbing-orchestrator API</title></head><body>` +
          `<h1>scrubbing-orchestrator API</h1><p>Machine-readable: <a href="/openapi.json">/openapi.json</a>. ` +
          `Authenticate with <code>Authorization: Bearer &lt;API key&gt;</code>.</p><table>${rows}</table></body></html>`,
      );
  });

  return router;
}
