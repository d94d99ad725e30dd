/**
 * Request IDs, one JSON log line per request, and Prometheus metrics for the API.
 * The request id is the caller's X-Request-Id when it is a plain token (up to 64 of
 * [A-Za-z0-9._-]), else a new UUID; it is echoed in the answer, logged, and passed to the
 * workflow with incident reports and manual actions, so worker log lines carry it too.
 * Bodies, query strings and headers are never logged.
 */
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Logger } from '../telemetry/logger';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export interface ApiTelemetry {
  registry: Registry;
  middleware: RequestHandler;
  metricsHandler: RequestHandler;
}

export function createApiTelemetry(logger: Logger): ApiTelemetry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'scrubbing_api_' });
  const requests = new Counter({
    name: 'scrubbing_api_requests_total',
    help: 'API requests by method, route template and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'scrubbing_api_request_duration_seconds',
    help: 'API request duration by method and route template',
    labelNames: ['method', 'route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });

  const middleware: RequestHandler = (req, res, next) => {
    const given = req.get('x-request-id');
    const requestId = given && REQUEST_ID.test(given) ? given : randomUUID();
    res.locals.requestId = requestId;
    res.set('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      // The matched route's template (bounded cardinality), never the raw path.
      const route = req.route ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      requests.inc({ method: req.method, route, status: String(res.statusCode) });
      duration.observe({ method: req.method, route }, seconds);
      const caller = res.locals.caller as { kind: string; keyId?: string; workspace?: string } | undefined;
      const fields = {
        requestId,
        method: req.method,
        route,
        status: res.statusCode,
        durationMs: Math.round(seconds * 1000),
        ...(caller?.kind === 'key' ? { keyId: caller.keyId, workspace: caller.workspace } : caller ? { caller: caller.kind } : {}),
        ...(res.locals.errorCode ? { error: res.locals.errorCode as string } : {}),
      };
      if (res.statusCode >= 500) logger.error(fields, 'request failed');
      else logger.info(fields, 'request');
    });
    next();
  };

  const metricsHandler: RequestHandler = (_req, res, next) => {
    registry.metrics().then((text) => res.type(registry.contentType).send(text), next);
  };

  return { registry, middleware, metricsHandler };
}
