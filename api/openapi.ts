/**
 * The OpenAPI registry: routers register their paths here, beside their routes, and
 * `/openapi.json` is generated from the same zod schemas that validate requests.
 * Importing this module first adds `.openapi()` to zod.
 */
import { OpenAPIRegistry, OpenApiGeneratorV31, extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

extendZodWithOpenApi(z);

export const registry = new OpenAPIRegistry();
const bearerAuth = registry.registerComponent('securitySchemes', 'bearerAuth', {
  type: 'http',
  scheme: 'bearer',
  description: 'A workspace API key (`so_…`), or the server admin token for POST /v1/workspaces',
});

const ErrorBody = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.array(z.unknown()),
    }),
  })
  .openapi('Error');

/** The error answers every authenticated route can give. */
export function errorResponses(...statuses: number[]) {
  const descriptions: Record<number, string> = {
    400: 'Invalid input; details name the fields',
    401: 'Missing or invalid credentials',
    403: "The key's role may not do this",
    404: "No such workspace or resource (also for another workspace's)",
    409: 'Conflict with the current state',
    413: 'Body too large',
    415: 'Body is not JSON',
    429: 'Rate limited; see Retry-After (intake_queue_full: the workspace has its maximum of incident reports waiting for Temporal; incident_limit: it has its maximum of active incidents, 20,000)',
    422: "limit_reached: a workspace limit (integrations, scope entries, channels, API keys); provider_failed: the provider refused or kept failing, details hold the integration's state",
    503: 'temporal_unavailable or database_unavailable: try again; workflow_unresponsive: Temporal answered but the workspace workflow did not (busy, stopped or failing worker)',
  };
  return Object.fromEntries(
    [400, 401, 404, 413, 415, 429, 503, ...statuses].map((status) => [status, { description: descriptions[status] ?? 'Error', content: { 'application/json': { schema: ErrorBody } } }]),
  );
}

export function openApiDocument() {
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'scrubbing-orchestrator API',
      version: '1',
      description: 'Report incidents, manage integrations and API keys, control and read DDoS scrubbing per workspace.',
    },
    servers: [{ url: '/' }],
  });
}

/** Method and path patterns of every registered route, for 405 answers with an Allow header. */
export function registeredRoutes(): { method: string; pattern: RegExp }[] {
  return registry.definitions.flatMap((definition) => {
    if (definition.type !== 'route') return [];
    const { method, path } = definition.route;
    const pattern = new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    return [{ method: method.toUpperCase(), pattern }];
  });
}

/** Every /v1 route takes a bearer key. */
export const security = [{ [bearerAuth.name]: [] }];

/** A JSON response (or body) description for registerPath. */
export function json(schema: z.ZodType, description: string) {
  return { description, content: { 'application/json': { schema } } };
}
