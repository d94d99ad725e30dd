/**
 * Gcore DDoS Protection: announce or withdraw a protected prefix over BGP
 * (`POST /security/sifter/v2/protected_addresses/announces` with `{announce, enabled}`, see
 * README, Providers: Gcore). Gcore toggles announces that exist in an active protection
 * profile; it does not create them. So every change reads first: a prefix already in the wanted
 * state costs no change, and one in neither list is a configuration error, never retried.
 */
import type { AxiosInstance, AxiosResponse } from 'axios';
import { gcore } from '../../catalog/gcore';
import { parseCidr } from '../../workflows/cidr';
import { createHttpClient, send } from './http';
import { ProviderAuthError, ProviderConfigError, ProviderError, ProviderRateLimitedError, ProviderRejectedError, ProviderUnavailableError, parseRetryAfter } from '../../catalog/errors';
import type { LoadedIntegration, ProviderAdapter, ProviderStatus } from '../../catalog/contract';

const DEFAULT_GCORE_API_URL = 'https://api.gcore.com';
const GCORE_ANNOUNCES_PATH = '/security/sifter/v2/protected_addresses/announces';

/** One client's prefixes, as `GET …/announces` lists them. */
export interface GcoreClientAnnounces {
  client_id?: number;
  announced?: string[];
  not_announced?: string[];
}

function classifyGcoreResponse(response: AxiosResponse<unknown>, nowMs = Date.now()): ProviderError | null {
  if (response.status >= 200 && response.status < 300) return null;
  const body = (response.data ?? {}) as { message?: unknown; detail?: unknown; errors?: unknown };
  const said = [body.message, body.detail].find((v): v is string => typeof v === 'string');
  // The provider's own words, cut short: they name the request, never the key.
  const text = `gcore: HTTP ${response.status}${said ? ` ${said.slice(0, 200)}` : ''}`;
  const requestId = response.headers?.['x-request-id'];
  const details = { status: response.status, ...(typeof requestId === 'string' ? { requestId } : {}) };
  const retryAfterMs = parseRetryAfter(response.headers?.['retry-after'], nowMs);
  const withRetry = retryAfterMs === undefined ? details : { ...details, retryAfterMs };
  if (response.status === 401 || response.status === 403) return new ProviderAuthError(text, details);
  if (response.status === 429) return new ProviderRateLimitedError(text, withRetry);
  if (response.status === 408 || response.status === 409 || response.status >= 500) return new ProviderUnavailableError(text, withRetry);
  return new ProviderRejectedError(text, details);
}

function parse(integration: LoadedIntegration) {
  const settings = gcore.settings.safeParse(integration.settings);
  const credentials = gcore.credentials.safeParse(integration.credentials);
  if (!settings.success) throw new ProviderConfigError(`gcore: invalid settings (${settings.error.issues.map((i) => i.path.join('.')).join(', ')})`);
  if (!credentials.success) throw new ProviderConfigError('gcore: apiKey is missing');
  return { settings: settings.data, apiKey: credentials.data.apiKey };
}

/** Whether two prefixes are the same network (Gcore may write `2001:DB8::/32` for `2001:db8::/32`). */
function samePrefix(a: string, b: string): boolean {
  const x = parseCidr(a);
  const y = parseCidr(b);
  return x !== undefined && y !== undefined && x.family === y.family && x.value === y.value && x.prefixLength === y.prefixLength;
}

type Announcement = 'announced' | 'not_announced' | 'unknown';

export function createGcoreProvider(options: { baseUrl?: string; timeoutMs?: number } = {}): ProviderAdapter {
  const http: AxiosInstance = createHttpClient(options.baseUrl ?? DEFAULT_GCORE_API_URL, options.timeoutMs);

  async function call<T>(apiKey: string, method: 'GET' | 'POST', params: Record<string, unknown>, data?: unknown): Promise<T> {
    const response = await send<T>(http, 'gcore', {
      method,
      url: GCORE_ANNOUNCES_PATH,
      params,
      data,
      headers: { Authorization: `APIKey ${apiKey}`, Accept: 'application/json', ...(data === undefined ? {} : { 'Content-Type': 'application/json' }) },
    });
    const error = classifyGcoreResponse(response);
    if (error) throw error;
    return response.data;
  }

  /** Where the prefix stands, from the client's lists (a reseller's `clientId` picks its client). */
  async function read(integration: LoadedIntegration): Promise<{ state: Announcement; prefix: string; apiKey: string; clientId?: number }> {
    const { settings, apiKey } = parse(integration);
    const clientParam = settings.clientId === undefined ? {} : { client_id: settings.clientId };
    const answer = await call<unknown>(apiKey, 'GET', clientParam);
    if (!Array.isArray(answer)) throw new ProviderUnavailableError('gcore: the announces list was not a list');
    const clients = (answer as GcoreClientAnnounces[]).filter((c) => settings.clientId === undefined || c.client_id === settings.clientId);
    const find = (list: string[] | undefined) => (list ?? []).find((p) => typeof p === 'string' && samePrefix(p, settings.prefix));
    const asAnnounced = clients.map((c) => find(c.announced)).find((p) => p !== undefined);
    const asNot = clients.map((c) => find(c.not_announced)).find((p) => p !== undefined);
    const state: Announcement = asAnnounced ? 'announced' : asNot ? 'not_announced' : 'unknown';
    // Changes name the prefix as Gcore writes it (`2001:DB8::/32` is our `2001:db8::/32`).
    const prefix = asAnnounced ?? asNot ?? settings.prefix;
    return { state, prefix, apiKey, ...(settings.clientId === undefined ? {} : { clientId: settings.clientId }) };
  }

  /** Gcore switches announces of active profiles only: a prefix in neither list cannot be changed. */
  const notInProfile = (prefix: string) => new ProviderConfigError(`gcore: prefix ${prefix} is not in an active protection profile of the account`);

  const toStatus = (prefix: string, announced: boolean): ProviderStatus => ({
    diverted: announced,
    pending: false,
    detail: `prefix ${prefix} ${announced ? 'announced' : 'not announced'} by Gcore`,
  });

  async function setAnnounced(integration: LoadedIntegration, enabled: boolean): Promise<ProviderStatus> {
    const current = await read(integration);
    if (current.state === 'unknown') throw notInProfile(current.prefix);
    if ((current.state === 'announced') === enabled) return toStatus(current.prefix, enabled);
    // Re-sending the same toggle answers 200, so Temporal's retry of a lost answer is harmless.
    await call<unknown>(current.apiKey, 'POST', current.clientId === undefined ? {} : { client_id: current.clientId }, { announce: current.prefix, enabled });
    return toStatus(current.prefix, enabled);
  }

  return {
    activate: (integration) => setAnnounced(integration, true),
    withdraw: (integration) => setAnnounced(integration, false),
    async status(integration) {
      const current = await read(integration);
      if (current.state === 'unknown') throw notInProfile(current.prefix);
      return toStatus(current.prefix, current.state === 'announced');
    },
    async test(integration) {
      const current = await read(integration);
      if (current.state === 'unknown') {
        return {
          ok: false,
          summary: 'API key accepted',
          warnings: [`prefix ${current.prefix} is not in an active protection profile (Gcore only switches announces that exist)`],
        };
      }
      const announced = current.state === 'announced';
      return {
        ok: !announced,
        summary: `API key accepted; prefix ${current.prefix} ${announced ? 'announced' : 'not announced'}`,
        warnings: announced ? ['the prefix is announced now: traffic is already diverted, by hand or by another tool'] : [],
      };
    },
  };
}
