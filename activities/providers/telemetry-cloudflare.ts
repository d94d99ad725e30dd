/**
 * Cloudflare's own view of an attack (docs/telemetry.md): network analytics over GraphQL
 * (`magicTransitNetworkAnalyticsAdaptiveGroups`), one query per account and token for every
 * prefix of it (Cloudflare allows 300 GraphQL queries per 5 minutes per user). Never throws for
 * a group's problem: each integration gets a reading or the reason there is none. The token goes
 * into the Authorization header only, never into a reason.
 */
import type { AxiosInstance, AxiosResponse } from 'axios';
import { parseCidr } from '../../workflows/cidr';
import { ProviderError } from '../../catalog/errors';
import { send } from './http';
import type { LoadedIntegration, TelemetryReading, TelemetryResult } from '../../catalog/contract';

/** The window read: 5 minutes ending 2 minutes before now, in whole minutes (the newest minutes lag). */
export const CLOUDFLARE_TELEMETRY_WINDOW_MS = 5 * 60_000;
export const CLOUDFLARE_TELEMETRY_LAG_MS = 2 * 60_000;
/** The most /24s one integration may filter on (a /16). */
export const CLOUDFLARE_MAX_SUBNETS = 256;
/** The query's row limit; an answer that reaches it may be incomplete. */
export const CLOUDFLARE_ROW_LIMIT = 5000;

export const REASON_NO_ANALYTICS_PERMISSION = 'the API token lacks Account Analytics Read (Account → Account Analytics → Read)';
export const REASON_GRAPHQL_RATE_LIMIT = 'Cloudflare GraphQL rate limit reached (300 queries per 5 minutes)';

/** The documented query shape: ingress only, the customer's own Magic Firewall drops left out. */
export const CLOUDFLARE_CALM_QUERY = `query Calm($accountTag: string!, $start: Time!, $end: Time!, $subnets: [string!]) {
  viewer { accounts(filter: {accountTag: $accountTag}) {
    magicTransitNetworkAnalyticsAdaptiveGroups(
      filter: { datetime_geq: $start, datetime_lt: $end, direction: "ingress",
                ipDestinationSubnet_in: $subnets, mitigationSystem_neq: "magic-firewall" }
      limit: ${CLOUDFLARE_ROW_LIMIT}, orderBy: [datetimeMinute_ASC]) {
      sum { bits packets }
      dimensions { datetimeMinute ipDestinationSubnet outcome mitigationSystem }
    } } } }`;

const MINUTE_MS = 60_000;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function cloudflareTelemetryWindow(now: Date, windowMs = CLOUDFLARE_TELEMETRY_WINDOW_MS): { from: number; to: number } {
  const to = Math.floor(now.getTime() / MINUTE_MS) * MINUTE_MS - CLOUDFLARE_TELEMETRY_LAG_MS;
  return { from: to - windowMs, to };
}

const ipv4Text = (value: bigint) => [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 255n)).join('.');

/**
 * The destination subnets to filter on: Cloudflare files IPv4 traffic per /24, so the /24s covering
 * the prefix (its own /24 when longer); IPv6 as the prefix is (its granularity is unconfirmed).
 */
export function cloudflareDestinationSubnets(cidr: string): string[] | { unavailable: string } {
  const parsed = parseCidr(cidr);
  if (!parsed || !cidr.includes('/')) return { unavailable: `the prefix ${cidr} is not a CIDR` };
  if (parsed.family === 6) return [cidr];
  const length = Math.min(parsed.prefixLength, 24);
  const count = 2 ** (24 - length);
  if (count > CLOUDFLARE_MAX_SUBNETS) return { unavailable: `the prefix ${cidr} covers ${count} /24 subnets, more than the ${CLOUDFLARE_MAX_SUBNETS} one reading filters on` };
  const base = (parsed.value >> BigInt(32 - length)) << BigInt(32 - length);
  return Array.from({ length: count }, (_, i) => `${ipv4Text(base + (BigInt(i) << 8n))}/24`);
}

/** What the adapter resolved of one integration: its account, token and prefix. */
export interface CloudflareTelemetryTarget {
  accountId: string;
  token: string;
  cidr: string;
}

interface AnalyticsRow {
  sum?: { bits?: number; packets?: number };
  dimensions?: { datetimeMinute?: string; ipDestinationSubnet?: string; outcome?: string; mitigationSystem?: string };
}

interface GraphqlAnswer {
  data?: { viewer?: { accounts?: { magicTransitNetworkAnalyticsAdaptiveGroups?: AnalyticsRow[] }[] } } | null;
  errors?: { message?: string; extensions?: { code?: string } }[] | null;
}

const clip = (text: string) => (text.length > 200 ? `${text.slice(0, 200)}…` : text);

/** Why an answer carries no rows, or null when it does; `cf-ray` appended for support. */
function failureOf(response: AxiosResponse<GraphqlAnswer>): string | null {
  const ray = response.headers?.['cf-ray'];
  const withRay = (reason: string) => (typeof ray === 'string' && ray !== '' ? `${reason} (cf-ray ${ray})` : reason);
  const errors = Array.isArray(response.data?.errors) ? response.data.errors : [];
  const text = errors.map((e) => `${e.message ?? ''} ${e.extensions?.code ?? ''}`).join('; ');
  if (response.status === 401 || response.status === 403 || /not authori[sz]ed|unauthori[sz]ed|permission|authz|access denied/i.test(text)) {
    return withRay(REASON_NO_ANALYTICS_PERMISSION);
  }
  if (response.status === 429 || /rate.?limit|budget|too many/i.test(text)) return withRay(REASON_GRAPHQL_RATE_LIMIT);
  if (response.status === 408 || response.status >= 500) return withRay(`Cloudflare GraphQL unavailable: HTTP ${response.status}`);
  const first = clip(errors[0]?.message ?? '');
  if (response.status < 200 || response.status >= 300) return withRay(`Cloudflare GraphQL refused the query: HTTP ${response.status}${first ? ` ${first}` : ''}`);
  if (errors.length > 0) return withRay(`Cloudflare GraphQL error: ${first || 'unspecified'}`);
  if (!Array.isArray(response.data?.data?.viewer?.accounts?.[0]?.magicTransitNetworkAnalyticsAdaptiveGroups)) {
    return withRay('Cloudflare GraphQL answered no analytics for the account');
  }
  return null;
}

/** One query for an account's subnets: its rows, or why there are none. */
type Answer = { rows: AnalyticsRow[] } | { failure: string };

async function queryAnalytics(http: AxiosInstance, target: { accountId: string; token: string }, subnets: string[], window: { from: number; to: number }): Promise<Answer> {
  let response: AxiosResponse<GraphqlAnswer>;
  try {
    response = await send<GraphqlAnswer>(http, 'cloudflare', {
      method: 'POST',
      url: '/graphql',
      data: { query: CLOUDFLARE_CALM_QUERY, variables: { accountTag: target.accountId, start: iso(window.from), end: iso(window.to), subnets } },
      headers: { Authorization: `Bearer ${target.token}`, 'Content-Type': 'application/json' },
    });
  } catch (err) {
    // networkError: "cloudflare: no response (ECONNABORTED)", nothing of the request in it.
    return { failure: `Cloudflare GraphQL unavailable: ${err instanceof Error ? err.message.replace(/^cloudflare: /, '') : 'no response'}` };
  }
  const failure = failureOf(response);
  if (failure) return { failure };
  const rows = response.data.data?.viewer?.accounts?.[0]?.magicTransitNetworkAnalyticsAdaptiveGroups ?? [];
  if (rows.length >= CLOUDFLARE_ROW_LIMIT) return { failure: `Cloudflare GraphQL answered ${rows.length} rows, its limit: the reading would be incomplete` };
  return { rows };
}

function inside(rowSubnet: string | undefined, subnets: string[]): boolean {
  const row = rowSubnet === undefined ? undefined : parseCidr(rowSubnet);
  if (!row) return false;
  return subnets.some((text) => {
    const subnet = parseCidr(text);
    if (!subnet || subnet.family !== row.family || row.prefixLength < subnet.prefixLength) return false;
    const host = BigInt((row.family === 4 ? 32 : 128) - subnet.prefixLength);
    return row.value >> host === subnet.value >> host;
  });
}

/** Drops and passes of the integration's subnets over the window (sums of bits and packets over its seconds). */
function readingOf(rows: AnalyticsRow[], target: CloudflareTelemetryTarget, subnets: string[], window: { from: number; to: number }): TelemetryReading | string {
  const mine = rows.filter((row) => row.dimensions?.mitigationSystem !== 'magic-firewall' && inside(row.dimensions?.ipDestinationSubnet, subnets));
  const [from, to] = [iso(window.from), iso(window.to)];
  if (mine.length === 0) return `no traffic data for ${target.cidr} from ${from} to ${to} (Cloudflare sees traffic only while it advertises the prefix)`;
  const seconds = (window.to - window.from) / 1000;
  const total = (outcome: string, metric: 'bits' | 'packets') => mine.filter((row) => row.dimensions?.outcome === outcome).reduce((sum, row) => sum + (Number(row.sum?.[metric]) || 0), 0) / seconds;
  return {
    droppedBps: total('drop', 'bits'),
    droppedPps: total('drop', 'packets'),
    passedBps: total('pass', 'bits'),
    passedPps: total('pass', 'packets'),
    from,
    to,
    source: `Cloudflare network analytics, ${target.cidr}`,
  };
}

const reasonOf = (err: unknown) => (err instanceof ProviderError ? err.message : 'unexpected error reading the prefix');

/**
 * Readings for these integrations: `resolve` finds each one's account, token and prefix CIDR
 * (the adapter reads the prefix); then one query per (account, token) for all its subnets.
 */
export async function readCloudflareTelemetry(
  http: AxiosInstance,
  integrations: LoadedIntegration[],
  now: Date,
  resolve: (integration: LoadedIntegration) => Promise<CloudflareTelemetryTarget>,
): Promise<TelemetryResult[]> {
  const window = cloudflareTelemetryWindow(now);
  type Resolved = { integration: LoadedIntegration } & ({ target: CloudflareTelemetryTarget; subnets: string[] } | { target?: undefined; unavailable: string });
  const resolved = await Promise.all(
    integrations.map(async (integration): Promise<Resolved> => {
      try {
        const target = await resolve(integration);
        const subnets = cloudflareDestinationSubnets(target.cidr);
        return Array.isArray(subnets) ? { integration, target, subnets } : { integration, unavailable: subnets.unavailable };
      } catch (err) {
        return { integration, unavailable: `cannot read the prefix: ${reasonOf(err)}` };
      }
    }),
  );
  const groups = new Map<string, { target: CloudflareTelemetryTarget; subnets: Set<string> }>();
  for (const entry of resolved) {
    if (!entry.target) continue;
    const key = JSON.stringify([entry.target.accountId, entry.target.token]); // in memory only
    const group = groups.get(key) ?? { target: entry.target, subnets: new Set<string>() };
    entry.subnets.forEach((s) => group.subnets.add(s));
    groups.set(key, group);
  }
  const answers = new Map(await Promise.all([...groups].map(async ([key, group]) => [key, await queryAnalytics(http, group.target, [...group.subnets], window)] as const)));
  return resolved.map((entry): TelemetryResult => {
    const integrationId = entry.integration.id;
    if (!entry.target) return { integrationId, unavailable: entry.unavailable };
    const answer = answers.get(JSON.stringify([entry.target.accountId, entry.target.token]));
    if (!answer || 'failure' in answer) return { integrationId, unavailable: answer?.failure ?? 'Cloudflare GraphQL not queried' };
    const reading = readingOf(answer.rows, entry.target, entry.subnets, window);
    return typeof reading === 'string' ? { integrationId, unavailable: reading } : { integrationId, reading };
  });
}

/**
 * Test's probe: the calm query over one minute for the prefix. A warning when the calm gate could
 * not read Cloudflare's analytics (no data is fine: the prefix may not be advertised); null otherwise.
 */
export async function probeCloudflareAnalytics(http: AxiosInstance, target: CloudflareTelemetryTarget, now: Date): Promise<string | null> {
  const fallback = "the calm gate cannot read Cloudflare's drops and falls back to the hold-down";
  const subnets = cloudflareDestinationSubnets(target.cidr);
  if (!Array.isArray(subnets)) return `${subnets.unavailable}: ${fallback}`;
  const answer = await queryAnalytics(http, target, subnets, cloudflareTelemetryWindow(now, MINUTE_MS));
  if (!('failure' in answer)) return null;
  if (answer.failure.startsWith(REASON_NO_ANALYTICS_PERMISSION)) return `the API token lacks Account Analytics Read: ${fallback}`;
  return `network analytics probe failed (${answer.failure}): ${fallback} while this lasts`;
}
