/**
 * Cloudflare Magic Transit on-demand: advertise or withdraw a BYOIP BGP prefix
 * (`PATCH …/bgp/prefixes/{id}` with `{"on_demand":{"advertised":…}}`, see
 * README, Providers: Cloudflare). Reads first and skips the PATCH when the prefix
 * already has the wanted state: Cloudflare allows one change per prefix per 15 minutes.
 * Telemetry (network analytics over GraphQL) is in telemetry-cloudflare.ts.
 */
import type { AxiosInstance, AxiosResponse } from 'axios';
import { cloudflare } from '../../catalog/cloudflare';
import { createHttpClient, segment, send } from './http';
import { probeCloudflareAnalytics, readCloudflareTelemetry } from './telemetry-cloudflare';
import {
  ProviderAuthError,
  ProviderChangeWindowError,
  ProviderConfigError,
  ProviderError,
  ProviderRateLimitedError,
  ProviderRejectedError,
  ProviderUnavailableError,
  parseRetryAfter,
} from '../../catalog/errors';
import type { LoadedIntegration, ProviderAdapter, ProviderStatus } from '../../catalog/contract';

const DEFAULT_CLOUDFLARE_API_URL = 'https://api.cloudflare.com/client/v4';
/** "A prefix can be activated or deactivated once every 15 minutes" (Cloudflare's Magic Transit documentation). */
const CLOUDFLARE_CHANGE_INTERVAL_MS = 15 * 60 * 1000;

const { settings: cloudflareSettings, credentials: cloudflareCredentials } = cloudflare;

interface Envelope<T> {
  success?: boolean;
  errors?: { code?: number; message?: string }[];
  result?: T;
}

export interface BgpPrefix {
  id: string;
  cidr: string;
  auto_advertise_withdraw?: boolean;
  bgp_signal_opts?: { enabled?: boolean };
  on_demand?: {
    advertised?: boolean | null;
    advertised_modified_at?: string | null;
    on_demand_enabled?: boolean;
    on_demand_locked?: boolean;
  };
}

interface Prefix {
  id: string;
  cidr: string;
}

function classifyCloudflareResponse(response: AxiosResponse<unknown>, nowMs = Date.now()): ProviderError | null {
  const body = (response.data ?? {}) as Envelope<unknown>;
  if (response.status >= 200 && response.status < 300 && body.success !== false) return null;
  const first = body.errors?.[0];
  const code = first?.code;
  const text = `cloudflare: HTTP ${response.status}${code === undefined ? '' : ` [${code}]`} ${first?.message ?? ''}`.trim();
  const ray = response.headers?.['cf-ray'];
  const details = {
    status: response.status,
    ...(code === undefined ? {} : { providerCode: code }),
    ...(typeof ray === 'string' ? { requestId: ray } : {}),
  };
  const retryAfterMs = parseRetryAfter(response.headers?.['retry-after'], nowMs);
  const withRetry = retryAfterMs === undefined ? details : { ...details, retryAfterMs };
  if (response.status === 401 || response.status === 403) return new ProviderAuthError(text, details);
  if (response.status === 429) return new ProviderRateLimitedError(text, withRetry);
  if (response.status === 408 || response.status === 409 || response.status >= 500) {
    return new ProviderUnavailableError(text, withRetry);
  }
  return new ProviderRejectedError(text, details);
}

class CloudflareClient {
  constructor(
    private readonly http: AxiosInstance,
    private readonly token: string,
  ) {}

  async call<T>(method: 'GET' | 'PATCH', path: string, data?: unknown): Promise<T> {
    const response = await send<Envelope<T>>(this.http, 'cloudflare', {
      method,
      url: path,
      data,
      headers: { Authorization: `Bearer ${this.token}`, 'Content-Type': 'application/json' },
    });
    const error = classifyCloudflareResponse(response);
    if (error) throw error;
    return response.data.result as T;
  }
}

function parse(integration: LoadedIntegration) {
  const settings = cloudflareSettings.safeParse(integration.settings);
  const credentials = cloudflareCredentials.safeParse(integration.credentials);
  if (!settings.success) throw new ProviderConfigError(`cloudflare: invalid settings (${settings.error.issues.map((i) => i.path.join('.')).join(', ')})`);
  if (!credentials.success) throw new ProviderConfigError('cloudflare: apiToken is missing');
  return { settings: settings.data, token: credentials.data.apiToken };
}

const prefixPathOf = (settings: { accountId: string; prefixId: string }) => `/accounts/${segment(settings.accountId)}/addressing/prefixes/${segment(settings.prefixId)}`;

/**
 * A refused change inside 15 minutes of the last one is the change window, not a hard
 * error: retryable, at the earliest allowed time (the exact error code is unconfirmed).
 */
function asChangeWindowError(err: unknown, current: BgpPrefix, nowMs = Date.now()): unknown {
  // Returns the error to throw: the original one unless the change window explains it.
  if (!(err instanceof ProviderRateLimitedError || err instanceof ProviderRejectedError)) return err;
  const modifiedAt = Date.parse(current.on_demand?.advertised_modified_at ?? '');
  if (Number.isNaN(modifiedAt) || modifiedAt + CLOUDFLARE_CHANGE_INTERVAL_MS <= nowMs) return err;
  const earliest = modifiedAt + CLOUDFLARE_CHANGE_INTERVAL_MS;
  return new ProviderChangeWindowError(`cloudflare: ${current.cidr} changed less than 15 minutes ago; next change allowed at ${new Date(earliest).toISOString()}`, {
    ...err.details,
    retryAfterMs: earliest - nowMs,
    earliestAt: new Date(earliest).toISOString(),
  });
}

/**
 * Cloudflare starts advertising 2–7 minutes after it accepted the change (Cloudflare's documentation):
 * a prefix advertised less than 7 minutes ago is pending. A withdrawal is not treated so: the
 * flag already says where the prefix is going, and a prefix withdrawn by hand must show as
 * drift at the next read, not 15 minutes later.
 */
const ADVERTISEMENT_DELAY_MS = 7 * 60_000;
function advertisementUnderWay(bgp: BgpPrefix, nowMs = Date.now()): boolean {
  const modifiedAt = Date.parse(bgp.on_demand?.advertised_modified_at ?? '');
  return bgp.on_demand?.advertised === true && Number.isFinite(modifiedAt) && nowMs - modifiedAt < ADVERTISEMENT_DELAY_MS;
}

export function createCloudflareProvider(options: { baseUrl?: string; timeoutMs?: number } = {}): ProviderAdapter {
  const http = createHttpClient(options.baseUrl ?? DEFAULT_CLOUDFLARE_API_URL, options.timeoutMs);

  async function locate(integration: LoadedIntegration) {
    const { settings, token } = parse(integration);
    const client = new CloudflareClient(http, token);
    const prefixPath = prefixPathOf(settings);
    let bgpPrefixId = settings.bgpPrefixId;
    if (!bgpPrefixId) {
      // Not configured: the BGP prefix whose CIDR equals the IP prefix's (Cloudflare creates it at onboarding).
      const prefix = await client.call<Prefix>('GET', prefixPath);
      const bgpPrefixes = await client.call<BgpPrefix[]>('GET', `${prefixPath}/bgp/prefixes`);
      const match = bgpPrefixes.find((p) => p.cidr === prefix.cidr);
      if (!match) throw new ProviderConfigError(`cloudflare: no BGP prefix matches ${prefix.cidr}; set bgpPrefixId`);
      bgpPrefixId = match.id;
    }
    return { client, path: `${prefixPath}/bgp/prefixes/${segment(bgpPrefixId)}` };
  }

  function toStatus(bgp: BgpPrefix, pending: boolean): ProviderStatus {
    const advertised = bgp.on_demand?.advertised === true;
    return { diverted: advertised, pending, detail: `prefix ${bgp.cidr} ${advertised ? 'advertised' : 'withdrawn'}` };
  }

  async function setAdvertised(integration: LoadedIntegration, advertised: boolean): Promise<ProviderStatus> {
    const { client, path } = await locate(integration);
    const current = await client.call<BgpPrefix>('GET', path);
    if ((current.on_demand?.advertised === true) === advertised) return toStatus(current, false);
    if (current.on_demand?.on_demand_enabled === false) {
      throw new ProviderConfigError(`cloudflare: on-demand advertisement is not enabled for ${current.cidr}`);
    }
    if (current.on_demand?.on_demand_locked === true) {
      throw new ProviderConfigError(`cloudflare: prefix ${current.cidr} is locked`);
    }
    const updated = await client.call<BgpPrefix>('PATCH', path, { on_demand: { advertised } }).catch((err: unknown) => {
      throw asChangeWindowError(err, current);
    });
    if ((updated.on_demand?.advertised === true) !== advertised) {
      throw new ProviderUnavailableError(`cloudflare: change of ${current.cidr} not reflected in the answer`);
    }
    // Cloudflare registers the change at once and applies it within minutes.
    return toStatus(updated, true);
  }

  return {
    activate: (integration) => setAdvertised(integration, true),
    withdraw: (integration) => setAdvertised(integration, false),
    async status(integration) {
      const { client, path } = await locate(integration);
      const bgp = await client.call<BgpPrefix>('GET', path);
      return toStatus(bgp, advertisementUnderWay(bgp));
    },
    async test(integration) {
      const { settings, token } = parse(integration);
      const client = new CloudflareClient(http, token);
      const prefixes = await client.call<Prefix[]>('GET', `/accounts/${segment(settings.accountId)}/addressing/prefixes`);
      const warnings: string[] = [];
      const count = `${prefixes.length} prefixes on the account`;
      if (!prefixes.some((p) => p.id === settings.prefixId)) {
        return { ok: false, summary: count, warnings: [`prefix ${settings.prefixId} is not on the account`] };
      }
      const located = await locate(integration).catch((err: unknown) => {
        if (err instanceof ProviderConfigError || err instanceof ProviderRejectedError) return err;
        throw err;
      });
      if (located instanceof Error) return { ok: false, summary: count, warnings: [located.message] };
      const bgp = await client.call<BgpPrefix>('GET', located.path).catch((err: unknown) => {
        if (err instanceof ProviderRejectedError) return null;
        throw err;
      });
      if (!bgp) return { ok: false, summary: count, warnings: ['the configured BGP prefix is not on the prefix'] };
      if (bgp.on_demand?.on_demand_enabled === false) warnings.push('on-demand advertisement is not enabled');
      if (bgp.on_demand?.on_demand_locked === true) warnings.push('the prefix is locked');
      if (bgp.auto_advertise_withdraw === true) warnings.push('auto_advertise_withdraw is on: Cloudflare would withdraw on its own');
      if (bgp.bgp_signal_opts?.enabled === true) warnings.push('the prefix is BGP-signal controlled');
      const ok = warnings.length === 0;
      // The calm gate's analytics: a warning when it cannot read them, never a failed Test by itself.
      const analytics = await probeCloudflareAnalytics(http, { accountId: settings.accountId, token, cidr: bgp.cidr }, new Date());
      return { ok, summary: `${count}; BGP prefix ${bgp.cidr} found`, warnings: analytics ? [...warnings, analytics] : warnings };
    },
    readTelemetry: (integrations, now) =>
      readCloudflareTelemetry(http, integrations, now, async (integration) => {
        const { settings, token } = parse(integration);
        const prefix = await new CloudflareClient(http, token).call<Prefix>('GET', prefixPathOf(settings));
        return { accountId: settings.accountId, token, cidr: prefix.cidr };
      }),
  };
}
