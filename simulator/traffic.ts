/**
 * The simulated providers' view of attack traffic (docs/telemetry.md): dropped and passed
 * rates per target as a step function over the simulator's clock, so a query over a past
 * window answers what was set then. Cloudflare answers it as network analytics rows (GraphQL),
 * OVH as VAC traffic points and events (API v2). Never holds or shows a credential.
 */
import type { Request, RequestHandler, Response, Router } from 'express';
import { parseAddress, parseCidr } from '../workflows/cidr';
import type { SimClock } from './clock';

export interface TrafficRates {
  droppedBps: number;
  droppedPps: number;
  passedBps: number;
  passedPps: number;
}

const RATE_FIELDS = ['droppedBps', 'droppedPps', 'passedBps', 'passedPps'] as const;
const MINUTE_MS = 60_000;
/** Changes kept per target (older ones fall off: the model only needs recent windows). */
const MAX_CHANGES = 500;
/** The longest window answered minute by minute. */
const MAX_WINDOW_MS = 7 * 24 * 3_600_000;

const zero = (): TrafficRates => ({ droppedBps: 0, droppedPps: 0, passedBps: 0, passedPps: 0 });
const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Rates from untrusted input (admin routes): missing fields are 0; anything else must be a finite number ≥ 0. */
export function parseRates(input: Partial<Record<keyof TrafficRates, unknown>>): TrafficRates {
  const rates = zero();
  for (const field of RATE_FIELDS) {
    const value = input[field] ?? 0;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new Error(`${field} must be a number ≥ 0`);
    rates[field] = value;
  }
  return rates;
}

/** A moment from input: ms or ISO 8601; absent: now on the simulator's clock. */
export function parseMoment(value: unknown, clock: SimClock): number {
  if (value === undefined) return clock.now();
  const ms = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) throw new Error('at must be milliseconds or an ISO 8601 time');
  return ms;
}

/** Per target key, the rates in force from each change on (zero before the first). */
export class TrafficModel {
  private readonly series = new Map<string, { at: number; rates: TrafficRates }[]>();

  set(key: string, at: number, rates: TrafficRates): void {
    const changes = (this.series.get(key) ?? []).filter((c) => c.at !== at);
    changes.push({ at, rates: { ...rates } });
    changes.sort((a, b) => a.at - b.at);
    this.series.set(key, changes.slice(-MAX_CHANGES));
  }

  /** The mean rates over [from, to). */
  mean(key: string, from: number, to: number): TrafficRates {
    const changes = this.series.get(key) ?? [];
    const mean = zero();
    if (to <= from) return mean;
    changes.forEach((change, i) => {
      const start = Math.max(change.at, from);
      const end = Math.min(changes[i + 1]?.at ?? Infinity, to);
      if (end > start) for (const field of RATE_FIELDS) mean[field] += (change.rates[field] * (end - start)) / (to - from);
    });
    return mean;
  }

  /** Each minute overlapping [from, to): its start, how many seconds of it lie inside, and its mean rates there. */
  minutes(key: string, from: number, to: number): { minute: number; seconds: number; rates: TrafficRates }[] {
    const out: { minute: number; seconds: number; rates: TrafficRates }[] = [];
    if (!this.series.has(key)) return out;
    const end = Math.min(to, from + MAX_WINDOW_MS);
    for (let minute = Math.floor(from / MINUTE_MS) * MINUTE_MS; minute < end; minute += MINUTE_MS) {
      const a = Math.max(minute, from);
      const b = Math.min(minute + MINUTE_MS, end);
      if (b > a) out.push({ minute, seconds: (b - a) / 1000, rates: this.mean(key, a, b) });
    }
    return out;
  }

  /** The rates in force at `at`. */
  at(key: string, at: number): TrafficRates {
    const changes = (this.series.get(key) ?? []).filter((c) => c.at <= at);
    return { ...(changes[changes.length - 1]?.rates ?? zero()) };
  }

  keys(): string[] {
    return [...this.series.keys()];
  }

  clear(): void {
    this.series.clear();
  }
}

const sum = (list: TrafficRates[]): TrafficRates =>
  list.reduce(
    (acc, r) => ({ droppedBps: acc.droppedBps + r.droppedBps, droppedPps: acc.droppedPps + r.droppedPps, passedBps: acc.passedBps + r.passedBps, passedPps: acc.passedPps + r.passedPps }),
    zero(),
  );

// ---- Cloudflare: network analytics (magicTransitNetworkAnalyticsAdaptiveGroups) ----

const ipv4Text = (value: bigint) => [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 255n)).join('.');

/**
 * Where Cloudflare files traffic to `cidr`: IPv4 per /24 (every /24 of a shorter prefix, the
 * covering /24 of a longer one), IPv6 under the prefix as given (its granularity is unconfirmed).
 */
export function cloudflareSubnets(cidr: string): string[] {
  const parsed = parseCidr(cidr.trim());
  if (!parsed || !cidr.includes('/')) throw new Error(`${cidr} is not a prefix`);
  if (parsed.family === 6) return [cidr.trim().toLowerCase()];
  const length = Math.min(parsed.prefixLength, 24);
  if (length < 12) throw new Error(`${cidr} is larger than the simulator models (/12)`);
  const base = (parsed.value >> BigInt(32 - length)) << BigInt(32 - length);
  return Array.from({ length: 2 ** (24 - length) }, (_, i) => `${ipv4Text(base + (BigInt(i) << 8n))}/24`);
}

export const cloudflareTrafficKey = (accountId: string, subnet: string) => `${accountId} ${subnet}`;

/** Sets the rates of a prefix from `at` on: a prefix wider than a /24 shares them equally among its /24s. */
export function setCloudflareTraffic(model: TrafficModel, accountId: string, cidr: string, rates: TrafficRates, at: number): void {
  const subnets = cloudflareSubnets(cidr);
  const share = Object.fromEntries(RATE_FIELDS.map((f) => [f, rates[f] / subnets.length])) as unknown as TrafficRates;
  for (const subnet of subnets) model.set(cloudflareTrafficKey(accountId, subnet), at, share);
}

/** The current rates of a prefix (the sum over its /24s), for the state view. */
export function cloudflareTrafficNow(model: TrafficModel, accountId: string, cidr: string, now: number): TrafficRates {
  const subnets = isPrefix(cidr) && (parseCidr(cidr)?.family === 6 || (parseCidr(cidr)?.prefixLength ?? 0) >= 12) ? cloudflareSubnets(cidr) : [];
  return sum(subnets.map((subnet) => model.at(cloudflareTrafficKey(accountId, subnet), now)));
}

export interface AnalyticsRow {
  sum: { bits: number; packets: number };
  dimensions: { datetimeMinute: string; ipDestinationSubnet: string; outcome: 'drop' | 'pass'; mitigationSystem: string };
}

/** One row per minute, subnet and outcome with traffic: drops by `dosd`, passes unmitigated (empty system). */
export function analyticsRows(model: TrafficModel, accountId: string, subnets: string[], start: number, end: number): AnalyticsRow[] {
  const rows: AnalyticsRow[] = [];
  const wanted = new Set(subnets.flatMap((s) => (isPrefix(s) ? cloudflareSubnets(s) : [])));
  for (const subnet of wanted) {
    for (const { minute, seconds, rates } of model.minutes(cloudflareTrafficKey(accountId, subnet), start, end)) {
      const dimensions = { datetimeMinute: isoSeconds(minute), ipDestinationSubnet: subnet };
      if (rates.droppedBps > 0 || rates.droppedPps > 0) {
        rows.push({ sum: { bits: Math.round(rates.droppedBps * seconds), packets: Math.round(rates.droppedPps * seconds) }, dimensions: { ...dimensions, outcome: 'drop', mitigationSystem: 'dosd' } });
      }
      if (rates.passedBps > 0 || rates.passedPps > 0) {
        rows.push({ sum: { bits: Math.round(rates.passedBps * seconds), packets: Math.round(rates.passedPps * seconds) }, dimensions: { ...dimensions, outcome: 'pass', mitigationSystem: '' } });
      }
    }
  }
  return rows.sort((a, b) => a.dimensions.datetimeMinute.localeCompare(b.dimensions.datetimeMinute));
}

const isPrefix = (text: string) => text.includes('/') && parseCidr(text) !== undefined;

export interface GraphqlQuery {
  accountTag: string;
  subnets: string[];
  at: number;
  /** What the simulator answered: rows, or the error's code. */
  answer: 'rows' | 'authz' | 'budgetExceeded' | 'invalid';
}

/** What the GraphQL endpoint needs of the Cloudflare state. */
export interface AnalyticsState {
  clock: SimClock;
  traffic: TrafficModel;
  /** Every query received, in order (tests count them per account). */
  graphqlQueries: GraphqlQuery[];
  /** Queries per token per 5 minutes (Cloudflare: 300 per user), and per token the times of its recent queries. */
  graphqlLimit: number;
  graphqlCalls: Map<string, number[]>;
  /** Whether this token may read this account's analytics (Account Analytics Read). */
  analyticsAllowed(accountTag: string, token: string): boolean;
}

const GRAPHQL_WINDOW_MS = 5 * MINUTE_MS;

/**
 * `POST /graphql`: answers the calm query on `magicTransitNetworkAnalyticsAdaptiveGroups` from the
 * traffic model. It reads the query's variables (`accountTag`, `start`, `end`, `subnets`) and does not
 * parse the GraphQL text beyond checking the dataset. Errors as Cloudflare's GraphQL API gives them:
 * HTTP 200 with `data: null` and `errors` (authorization), HTTP 429 over the rate limit.
 */
export function analyticsHandler(state: AnalyticsState): RequestHandler {
  return (req, res) => {
    const now = state.clock.now();
    const error = (status: number, message: string, code: GraphqlQuery['answer'] | 'authn') =>
      res.status(status).json({ data: null, errors: [{ message, path: null, extensions: { code, timestamp: isoSeconds(now) } }] });
    const header = req.get('authorization') ?? '';
    if (!header.startsWith('Bearer ')) return error(400, 'missing authentication: provide an API token', 'authn');
    const token = header.slice('Bearer '.length);
    const { query, variables } = (req.body ?? {}) as { query?: unknown; variables?: Record<string, unknown> };
    const { accountTag, start, end, subnets } = variables ?? {};
    const record = (answer: GraphqlQuery['answer']) => state.graphqlQueries.push({ accountTag: String(accountTag), subnets: Array.isArray(subnets) ? subnets.map(String) : [], at: now, answer });
    const recent = (state.graphqlCalls.get(token) ?? []).filter((at) => at > now - GRAPHQL_WINDOW_MS);
    if (recent.length >= state.graphqlLimit) {
      record('budgetExceeded');
      return error(429, 'rate limiter budget depleted, try again after 5 minutes', 'budgetExceeded');
    }
    state.graphqlCalls.set(token, [...recent, now]);
    const valid =
      typeof query === 'string' &&
      query.includes('magicTransitNetworkAnalyticsAdaptiveGroups') &&
      typeof accountTag === 'string' &&
      !Number.isNaN(Date.parse(String(start))) &&
      !Number.isNaN(Date.parse(String(end))) &&
      Array.isArray(subnets) &&
      subnets.every((s) => typeof s === 'string' && isPrefix(s));
    if (!valid) {
      record('invalid');
      return error(200, 'the simulator answers magicTransitNetworkAnalyticsAdaptiveGroups with $accountTag, $start, $end and $subnets (prefixes)', 'invalid');
    }
    if (!state.analyticsAllowed(accountTag, token)) {
      record('authz');
      return error(200, 'not authorized for that account', 'authz');
    }
    record('rows');
    const rows = analyticsRows(state.traffic, accountTag, subnets as string[], Date.parse(String(start)), Date.parse(String(end))).slice(0, 5000);
    res.json({ data: { viewer: { accounts: [{ magicTransitNetworkAnalyticsAdaptiveGroups: rows }] } }, errors: null });
  };
}

// ---- OVH: Network Defense v2 (the VAC) ----

export interface VacEvent {
  startedAt: string;
  endedAt: string | null;
  subnet: string;
  vectors: string[];
}

/** OVH's scrubbing centre for the simulated IPs: traffic per IP and attack events. */
export class VacModel {
  readonly traffic = new TrafficModel();
  readonly events: VacEvent[] = [];

  setTraffic(ip: string, rates: TrafficRates, at: number): void {
    if (!parseAddress(ip)) throw new Error(`${ip} is not an IP address`);
    this.traffic.set(ip, at, rates);
  }

  /** Starts an event for the IP (none ongoing yet; else updates its vectors) or ends the ongoing ones. */
  setEvent(ip: string, ongoing: boolean, at: number, vectors?: string[]): VacEvent[] {
    if (!parseAddress(ip)) throw new Error(`${ip} is not an IP address`);
    const subnet = `${ip}/32`;
    const open = this.events.filter((e) => e.subnet === subnet && e.endedAt === null);
    if (ongoing && open.length === 0) this.events.push({ startedAt: isoSeconds(at), endedAt: null, subnet, vectors: vectors ?? ['UDP'] });
    for (const event of open) {
      if (ongoing && vectors) event.vectors = vectors;
      if (!ongoing) event.endedAt = isoSeconds(at);
    }
    return this.events.filter((e) => e.subnet === subnet);
  }

  clear(): void {
    this.traffic.clear();
    this.events.length = 0;
  }
}

/** A time query parameter: absent is `fallback`, anything but an ISO 8601 string is NaN. */
const timeParam = (value: unknown, fallback: number) => (value === undefined ? fallback : typeof value === 'string' ? Date.parse(value) : NaN);
const queryList = (req: Request, name: string): string[] => [req.query[name], req.query[`${name}[]`]].flat().filter((v): v is string => typeof v === 'string');
const hostOf = (subnet: string) => subnet.replace(/\/(32|128)$/, '');
const badRequest = (res: Response, message: string) => res.status(400).json({ class: 'Client::BadRequest', message });

/**
 * The v2 routes, behind the OVH router's signature and access-rule check. `subnets` is an array
 * parameter: accepted repeated (`subnets=…&subnets=…`, as OVH's generated clients send it) or as `subnets[]`.
 */
export function vacRoutes(router: Router, model: VacModel, clock: SimClock): void {
  router.get('/v2/networkDefense/vac/event', (req, res) => {
    const subnets = queryList(req, 'subnets').map((s) => `${hostOf(s)}/32`);
    const after = timeParam(req.query.after, -Infinity);
    const before = timeParam(req.query.before, Infinity);
    if (Number.isNaN(after) || Number.isNaN(before)) return badRequest(res, 'Invalid value for parameter after or before');
    const ongoingOnly = req.query.ongoingOnly === 'true';
    const events = model.events.filter(
      (e) =>
        (subnets.length === 0 || subnets.includes(e.subnet)) && (!ongoingOnly || e.endedAt === null) && Date.parse(e.startedAt) <= before && (e.endedAt === null || Date.parse(e.endedAt) >= after),
    );
    res.json({ events });
  });

  // Points are rates, one per minute with traffic in [after, before); integers as strings, as OVH's schema types them.
  router.get('/v2/networkDefense/vac/traffic', (req, res) => {
    const after = timeParam(req.query.after, NaN); // required
    const before = timeParam(req.query.before, clock.now());
    const subnet = req.query.subnet;
    if (Number.isNaN(after) || Number.isNaN(before)) return badRequest(res, 'Missing or invalid parameter after (or before)');
    if (typeof subnet !== 'string' || !/\/(32|64)$/.test(subnet)) return badRequest(res, 'Missing or invalid parameter subnet (a /32 or a /64)');
    const points = model.traffic.minutes(hostOf(subnet), after, before).filter(({ rates }) => RATE_FIELDS.some((f) => rates[f] > 0));
    const series = (field: keyof TrafficRates) => points.map(({ rates }) => String(Math.round(rates[field])));
    res.json({
      timestamps: points.map(({ minute }) => isoSeconds(minute)),
      bps: { dropped: series('droppedBps'), passed: series('passedBps') },
      pps: { dropped: series('droppedPps'), passed: series('passedPps') },
    });
  });
}

/** `POST /_sim/<type>/…` handlers: 400 with the reason when the input does not parse. */
export function adminHandler(apply: (body: Record<string, unknown>) => unknown): RequestHandler {
  return (req, res) => {
    try {
      const result = apply((req.body ?? {}) as Record<string, unknown>);
      res.status(result === false ? 404 : 200).json(typeof result === 'object' && result !== null ? result : {});
    } catch (err) {
      res.status(400).json({ error: err instanceof Error ? err.message : String(err) });
    }
  };
}
