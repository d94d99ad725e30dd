/**
 * The Express application: JSON only, bounded bodies, API-key auth with roles and rate
 * limits on /v1, open health and docs routes, the operator console's static files, every error rendered by one handler.
 * Never logs bodies or headers.
 */
import express, { type RequestHandler } from 'express';
import type { Connection } from '@temporalio/client';
import type { Database } from '../store/db';
import { authenticate } from './auth';
import { HttpError, renderError } from './http-errors';
import { registeredRoutes } from './openapi';
import { channelsRouter } from './routes/channels';
import { detectorsRouter } from './routes/detectors';
import { ingestRouter } from './routes/ingest';
import { eventsRouter } from './routes/events';
import { addIncidentHistory } from './routes/incident-history';
import { integrationsRouter } from './routes/integrations';
import { metaRouter } from './routes/meta';
import { consoleRouter } from './routes/console';
import { docsRouter } from './routes/docs';
import { meRouter, type TemporalUi } from './routes/me';
import { scrubbingRouter } from './routes/scrubbing';
import { workspacesRouter } from './routes/workspaces';
import type { IncidentIntake } from './intake';
import type { ScrubbingService } from './scrubbing-service';
import type { ApiTelemetry } from './telemetry';
import type { Services } from './services';
import type { ApiKeyRepository } from '../store/api-keys';
import type { DetectorSourceRepository } from '../store/detector-sources';
import type { Logger } from '../telemetry/logger';

export interface AppDependencies {
  services: Services;
  scrubbing: ScrubbingService;
  intake: IncidentIntake;
  apiKeys: ApiKeyRepository;
  connection: Connection;
  database: Database;
  adminToken: string;
  requestsPerMinute: number;
  /** Failed authentications per source address and minute (default 60). */
  authFailuresPerMinute?: number;
  telemetry: ApiTelemetry;
  detectorSources: DetectorSourceRepository;
  /** The API's address as detectors reach it, for the URLs detector sources are given; absent: the request's host. */
  publicUrl?: string;
  logger: Logger;
  /** The Temporal UI as operators reach it, for the console's links. */
  temporalUi: TemporalUi;
  /** Where the built console is (console/dist). */
  consoleDir: string;
}

const requireJson: RequestHandler = (req, _res, next) => {
  const hasBody = Number(req.get('content-length') ?? 0) > 0 || req.get('transfer-encoding') !== undefined;
  if (hasBody && !req.is('application/json')) {
    next(new HttpError(415, 'unsupported_media_type', 'send JSON with Content-Type: application/json'));
    return;
  }
  next();
};

/** A known path with another method: 405 with the methods it does take. */
const methodNotAllowed: RequestHandler = (req, res, next) => {
  const allowed = registeredRoutes()
    .filter((route) => route.pattern.test(req.path))
    .map((route) => route.method);
  if (allowed.length === 0) return next();
  res.set('Allow', [...new Set(allowed)].join(', '));
  next(new HttpError(405, 'method_not_allowed', `use ${[...new Set(allowed)].join(', ')} on this path`));
};

export function createApp(deps: AppDependencies): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');

  app.use(deps.telemetry.middleware);
  app.get('/metrics', deps.telemetry.metricsHandler);
  app.use(metaRouter(deps));
  app.use(docsRouter());
  app.use(consoleRouter(deps.consoleDir));
  // Detectors' own webhooks: proved by their vendor's signature or secret, not an API key (before /v1's auth).
  app.use(ingestRouter({ sources: deps.detectorSources, intake: deps.intake, scrubbing: deps.scrubbing, logger: deps.logger, registry: deps.telemetry.registry }));
  app.use(
    '/v1',
    requireJson,
    express.json({ limit: '64kb', strict: true }),
    authenticate({ apiKeys: deps.apiKeys, adminToken: deps.adminToken, requestsPerMinute: deps.requestsPerMinute, authFailuresPerMinute: deps.authFailuresPerMinute ?? 60 }),
  );
  app.use(meRouter(deps.temporalUi));
  app.use(workspacesRouter(deps.services));
  app.use(integrationsRouter(deps.services));
  app.use(addIncidentHistory(scrubbingRouter(deps.scrubbing, deps.intake), deps.services));
  app.use(channelsRouter(deps.services));
  app.use(eventsRouter(deps.services));
  app.use(detectorsRouter(deps.services, deps.publicUrl));
  app.use(methodNotAllowed);
  app.use((_req, _res, next) => next(new HttpError(404, 'not_found', 'no such route')));
  app.use(renderError);
  return app;
}
