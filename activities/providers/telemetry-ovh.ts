/**
 * OVH's own view of an attack (docs/telemetry.md): Network Defense v2, the VAC scrubbing centre.
 * Per IP, the ongoing events (`GET /v2/networkDefense/vac/event`) and the traffic it dropped and
 * passed (`GET /v2/networkDefense/vac/traffic`), signed like every OVH call. Never throws for one
 * integration's problem: it gets the reason instead. Reasons carry OVH's codes and query IDs, never a key.
 */
import type { AxiosResponse } from 'axios';
import { ProviderAuthError, ProviderError, ProviderRateLimitedError, ProviderRejectedError, ProviderUnavailableError } from '../../catalog/errors';
import type { LoadedIntegration, TelemetryReading, TelemetryResult } from '../../catalog/contract';

/** The window read: the last 5 minutes (OVH's points are already rates, one a minute). */
export const OVH_TELEMETRY_WINDOW_MS = 5 * 60_000;
export const OVH_VAC_EVENT_RULE = 'GET /v2/networkDefense/vac/event';
export const OVH_VAC_TRAFFIC_RULE = 'GET /v2/networkDefense/vac/traffic';

/** What the adapter resolved of one integration: its IP, and a signed GET on the v2 API. */
export interface OvhTelemetryTarget {
  ip: string;
  getV2<T>(path: string): Promise<AxiosResponse<T>>;
}

interface VacEvents {
  events?: { startedAt?: string; endedAt?: string | null; subnet?: string; vectors?: string[] }[];
}

/** Points may come as numbers or, as OVH's schema types them, as strings. */
type Series = (number | string)[];
interface VacTraffic {
  timestamps?: string[];
  bps?: { dropped?: Series; passed?: Series };
  pps?: { dropped?: Series; passed?: Series };
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const q = encodeURIComponent;

/**
 * The two requests. `subnets` is an array parameter (the doc's `subnets[]`), sent in the form
 * OVH's generated clients use, `subnets=…`. No `region` filter: an account's IPs may sit in
 * another region than its API endpoint, and filtering on the wrong one would hide an attack.
 */
export const vacEventPath = (subnet: string) => `/networkDefense/vac/event?ongoingOnly=true&subnets=${q(subnet)}`;
export const vacTrafficPath = (subnet: string, from: number, to: number) => `/networkDefense/vac/traffic?after=${q(iso(from))}&before=${q(iso(to))}&subnet=${q(subnet)}`;

/** Why a v2 call failed, for operators: the refused access rule named. */
export function vacFailure(err: unknown, rule: string): string {
  if (!(err instanceof ProviderError)) return `OVH Network Defense: unexpected error on ${rule}`;
  const detail = err.message.replace(/^ovh: /, '');
  if (err instanceof ProviderAuthError && err.details.providerCode === 'NOT_GRANTED_CALL') return `the consumer key lacks the access rule ${rule}`;
  if (err instanceof ProviderAuthError) return `OVH refused the keys: ${detail}`;
  if (err instanceof ProviderRateLimitedError) return `OVH rate limit reached: ${detail}`;
  if (err instanceof ProviderUnavailableError) return `OVH Network Defense unavailable: ${detail}`;
  return `OVH refused ${rule}: ${detail}`;
}

/** 404 and 409 come back as answers (the client leaves them to callers): here they are refusals too. */
async function answer<T>(request: Promise<AxiosResponse<T>>): Promise<T> {
  const response = await request;
  if (response.status !== 200) {
    const queryId = response.headers?.['x-ovh-queryid'];
    throw new ProviderRejectedError(`ovh: HTTP ${response.status}`, { status: response.status, ...(typeof queryId === 'string' ? { requestId: queryId } : {}) });
  }
  return response.data;
}

const peak = (series: Series | undefined) => Math.max(0, ...(series ?? []).map(Number).filter(Number.isFinite));

async function readOne(target: OvhTelemetryTarget, now: Date): Promise<TelemetryReading | string> {
  const subnet = `${target.ip}/32`;
  const to = now.getTime();
  const from = to - OVH_TELEMETRY_WINDOW_MS;
  const [events, traffic] = await Promise.allSettled([answer(target.getV2<VacEvents>(vacEventPath(subnet))), answer(target.getV2<VacTraffic>(vacTrafficPath(subnet, from, to)))]);
  const failed = (result: PromiseSettledResult<unknown>, rule: string) => (result.status === 'rejected' ? vacFailure(result.reason, rule) : null);
  const failure = failed(events, OVH_VAC_EVENT_RULE) ?? failed(traffic, OVH_VAC_TRAFFIC_RULE);
  if (failure !== null || events.status !== 'fulfilled' || traffic.status !== 'fulfilled') return failure ?? 'OVH Network Defense: no answer';
  // Paging is left aside: one ongoing event is enough to say "not over".
  const ongoing = (events.value.events ?? []).filter((e) => e.endedAt === null || e.endedAt === undefined).length;
  // Traffic passes the VAC only while OVH scrubs: no points and no ongoing event is a reading of zero, not a gap.
  return {
    droppedBps: peak(traffic.value.bps?.dropped),
    droppedPps: peak(traffic.value.pps?.dropped),
    passedBps: peak(traffic.value.bps?.passed),
    passedPps: peak(traffic.value.pps?.passed),
    ongoingEvents: ongoing,
    from: iso(from),
    to: iso(to),
    source: `OVH Network Defense (VAC), ${subnet}`,
  };
}

/** Readings for these integrations, one pair of requests each (`resolve` parses the integration). */
export async function readOvhTelemetry(integrations: LoadedIntegration[], now: Date, resolve: (integration: LoadedIntegration) => OvhTelemetryTarget): Promise<TelemetryResult[]> {
  return Promise.all(
    integrations.map(async (integration): Promise<TelemetryResult> => {
      try {
        const reading = await readOne(resolve(integration), now);
        return typeof reading === 'string' ? { integrationId: integration.id, unavailable: reading } : { integrationId: integration.id, reading };
      } catch (err) {
        return { integrationId: integration.id, unavailable: err instanceof ProviderError ? err.message : 'OVH Network Defense: unexpected error' };
      }
    }),
  );
}

/**
 * Test's probe: both v2 GETs for the IP over the last minute. A warning per refused access rule
 * (or other failure); none when the calm gate can read the VAC.
 */
export async function probeOvhVac(target: OvhTelemetryTarget, now: Date): Promise<string[]> {
  const subnet = `${target.ip}/32`;
  const checks = [
    [OVH_VAC_EVENT_RULE, vacEventPath(subnet)],
    [OVH_VAC_TRAFFIC_RULE, vacTrafficPath(subnet, now.getTime() - 60_000, now.getTime())],
  ] as const;
  const warnings = await Promise.all(
    checks.map(([rule, path]) =>
      answer(target.getV2(path)).then(
        () => null,
        (err: unknown) => `${vacFailure(err, rule)}: the calm gate cannot read OVH's VAC and falls back to the hold-down`,
      ),
    ),
  );
  return warnings.filter((w): w is string => w !== null);
}
