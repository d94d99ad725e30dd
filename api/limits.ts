/**
 * Per-workspace caps: every list a tenant can grow is bounded, so one workspace's
 * configuration stays far below Temporal's payload and history limits and cannot slow
 * the others. A create beyond a cap is a 422 `limit_reached` naming the field and an
 * audit entry. Concurrent creates are checked again after the write: at most the cap
 * survives (both of two racing creates may be refused; a retry succeeds).
 */
import { HttpError } from './http-errors';

export interface WorkspaceLimits {
  /** Integrations, those still being withdrawn after a DELETE included. */
  integrations: number;
  /** CIDR entries summed over the scopes of a workspace's integrations (each scope holds at most 100). */
  scopeEntries: number;
  channels: number;
  /** Active (unrevoked) API keys; revoked ones beyond the same number are pruned, oldest first. */
  apiKeys: number;
  /** Detectors posting their own webhooks (api/detectors). */
  detectorSources: number;
}

export const DEFAULT_WORKSPACE_LIMITS: WorkspaceLimits = { integrations: 50, scopeEntries: 1_000, channels: 10, apiKeys: 50, detectorSources: 20 };

export function limitReached(field: string, message: string): HttpError {
  return new HttpError(422, 'limit_reached', message, [{ field, message }]);
}

/** Scope entries an integration's scope counts for. */
export const scopeSize = (scope: 'workspace' | string[] | undefined): number => (Array.isArray(scope) ? scope.length : 0);
