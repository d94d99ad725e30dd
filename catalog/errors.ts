/**
 * The few typed errors every provider adapter maps its HTTP answers to.
 * Temporal owns retries: `retryable` and `retryAfterMs` decide what the activity
 * tells it. Messages name status codes and provider error codes, never a
 * request's headers, body or URL query (they may hold credentials).
 */

export interface ProviderErrorDetails {
  status?: number;
  providerCode?: string | number;
  retryAfterMs?: number;
  /** The provider's request ID (Cloudflare `cf-ray`, OVH `X-OVH-QueryID`), for support tickets. */
  requestId?: string;
  /** For a change window: the earliest time the change is allowed (ISO 8601). */
  earliestAt?: string;
}

export abstract class ProviderError extends Error {
  abstract readonly retryable: boolean;
  constructor(
    message: string,
    readonly details: ProviderErrorDetails = {},
  ) {
    super(details.requestId ? `${message} (request ${details.requestId})` : message);
    this.name = new.target.name;
  }

  get retryAfterMs(): number | undefined {
    return this.details.retryAfterMs;
  }
}

/** Credentials rejected or lacking permission. Never retried (Hetzner locks an IP out after 3 failures). */
export class ProviderAuthError extends ProviderError {
  readonly retryable = false;
}

/** The provider refused the request as invalid or impossible; retrying the same call cannot help. */
export class ProviderRejectedError extends ProviderError {
  readonly retryable = false;
}

/** Our configuration cannot work (missing setting, resource in a state that forbids the change). */
export class ProviderConfigError extends ProviderError {
  readonly retryable = false;
}

/** Rate limited; retry after `retryAfterMs` when the provider said how long. */
export class ProviderRateLimitedError extends ProviderError {
  readonly retryable = true;
}

/** Server error, maintenance, timeout or network failure: retry with backoff. */
export class ProviderUnavailableError extends ProviderError {
  readonly retryable = true;
}

/** The provider is busy with a previous change of the same resource (pending, in process); retry shortly. */
export class ProviderBusyError extends ProviderError {
  readonly retryable = true;
}

/** The provider only allows this change later (Cloudflare: once per prefix per 15 minutes). */
export class ProviderChangeWindowError extends ProviderError {
  readonly retryable = true;
}

/** The provider holds the current state on purpose (OVH keeps its firewall on while it mitigates). */
export class ProviderHeldError extends ProviderError {
  readonly retryable = true;
}

/** The integration is not in the store (deleted, or another workspace's). */
export class IntegrationNotFoundError extends ProviderError {
  readonly retryable = false;
}

/**
 * Parses a Retry-After header: delta-seconds or an HTTP date.
 * Returns milliseconds, or undefined when absent or unparseable.
 */
export function parseRetryAfter(value: unknown, nowMs: number): number | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** Classifies a failure below HTTP (no response): every such failure is worth a retry. */
export function networkError(provider: string, err: unknown): ProviderUnavailableError {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : 'UNKNOWN';
  return new ProviderUnavailableError(`${provider}: no response (${code})`);
}
