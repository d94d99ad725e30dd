/**
 * A Cloudflare Magic Transit simulator following Cloudflare's API
 * documentation: the v4 envelope, Bearer tokens per account, IP prefixes with their
 * BGP prefixes and the `on_demand` block, 401/403/404 answers as documented; network analytics
 * over GraphQL from the traffic model (simulator/traffic.ts), with Account Analytics Read per account.
 */
import { Router, type Request, type Response } from 'express';
import { randomBytes } from 'node:crypto';
import type { SimClock, SimTiming } from './clock';
import { created, type SimulatedProvider } from './provider';
import { TrafficModel, adminHandler, analyticsHandler, cloudflareTrafficNow, parseMoment, parseRates, setCloudflareTraffic, type GraphqlQuery, type TrafficRates } from './traffic';

export interface SimBgpPrefix {
  id: string;
  cidr: string;
  auto_advertise_withdraw: boolean;
  bgp_signal_opts: { enabled: boolean; modified_at: string | null };
  on_demand: {
    advertised: boolean | null;
    advertised_modified_at: string | null;
    on_demand_enabled: boolean;
    on_demand_locked: boolean;
  };
}

export interface SimPrefix {
  id: string;
  cidr: string;
  bgpPrefixes: SimBgpPrefix[];
}

export interface SimAccount {
  id: string;
  token: string;
  prefixes: SimPrefix[];
  /** Whether the token has Account Analytics Read (GraphQL network analytics). */
  analytics: boolean;
}

export interface CloudflareSeed {
  accountId: string;
  token: string;
  prefixId: string;
  bgpPrefixId: string;
  cidr: string;
  onDemandEnabled?: boolean;
  locked?: boolean;
  /** false: the account's token lacks Account Analytics Read (default: it has it). */
  analytics?: boolean;
}

export class CloudflareSimState {
  readonly accounts = new Map<string, SimAccount>();
  /** Dropped and passed traffic per account and /24 (IPv6: per prefix), over the simulator's clock. */
  readonly traffic = new TrafficModel();
  /** Every GraphQL query received, in order; the per-token limit and its recent calls. */
  readonly graphqlQueries: GraphqlQuery[] = [];
  graphqlLimit = 300;
  readonly graphqlCalls = new Map<string, number[]>();

  constructor(
    readonly clock: SimClock,
    readonly timing: SimTiming,
  ) {}

  /** Changes the advertisement "behind our back" (dashboard, another tool); the change window applies. */
  setAdvertised(accountId: string, prefixId: string, bgpPrefixId: string, advertised: boolean): boolean {
    const bgp = this.bgpPrefix(accountId, prefixId, bgpPrefixId);
    if (!bgp) return false;
    bgp.on_demand.advertised = advertised;
    bgp.on_demand.advertised_modified_at = new Date(this.clock.now()).toISOString();
    return true;
  }

  /** Traffic to a prefix (a /24, a wider prefix shared among its /24s, or an IPv6 prefix) from `at` (default now) on. */
  setTraffic(accountId: string, cidr: string, rates: Partial<TrafficRates>, at = this.clock.now()): void {
    setCloudflareTraffic(this.traffic, accountId, cidr, parseRates(rates), at);
  }

  /** Grants or takes away the account token's Account Analytics Read. */
  setAnalytics(accountId: string, allowed: boolean): boolean {
    const account = this.accounts.get(accountId);
    if (account) account.analytics = allowed;
    return account !== undefined;
  }

  analyticsAllowed(accountId: string, token: string): boolean {
    const account = this.accounts.get(accountId);
    return account !== undefined && account.token === token && account.analytics;
  }

  /** Forgets traffic, queries and the rate limit's count. */
  clearTelemetry(): void {
    this.traffic.clear();
    this.graphqlQueries.length = 0;
    this.graphqlCalls.clear();
  }

  seed(seed: CloudflareSeed): void {
    const account = this.accounts.get(seed.accountId) ?? { id: seed.accountId, token: seed.token, prefixes: [], analytics: true };
    account.token = seed.token;
    account.analytics = seed.analytics ?? account.analytics;
    account.prefixes = account.prefixes.filter((p) => p.id !== seed.prefixId);
    account.prefixes.push({
      id: seed.prefixId,
      cidr: seed.cidr,
      bgpPrefixes: [
        {
          id: seed.bgpPrefixId,
          cidr: seed.cidr,
          auto_advertise_withdraw: false,
          bgp_signal_opts: { enabled: false, modified_at: null },
          on_demand: {
            advertised: false,
            advertised_modified_at: null,
            on_demand_enabled: seed.onDemandEnabled ?? true,
            on_demand_locked: seed.locked ?? false,
          },
        },
      ],
    });
    this.accounts.set(seed.accountId, account);
  }

  bgpPrefix(accountId: string, prefixId: string, bgpPrefixId: string): SimBgpPrefix | undefined {
    return this.accounts
      .get(accountId)
      ?.prefixes.find((p) => p.id === prefixId)
      ?.bgpPrefixes.find((b) => b.id === bgpPrefixId);
  }
}

function fail(res: Response, status: number, code: number, message: string): void {
  res.status(status).json({ success: false, errors: [{ code, message }], messages: [], result: null });
}

function ok(res: Response, result: unknown): void {
  res.json({ success: true, errors: [], messages: [], result });
}

export function cloudflareRouter(state: CloudflareSimState): Router {
  const router = Router();
  router.use((_req, res, next) => {
    res.set('cf-ray', `${randomBytes(8).toString('hex')}-SIM`);
    next();
  });

  // Network analytics (GraphQL): the token is checked against the account the query names.
  router.post('/graphql', analyticsHandler(state));

  // Authentication: a Bearer token that belongs to the account in the path.
  router.use('/accounts/:accountId', (req: Request<{ accountId: string }>, res, next) => {
    const header = req.get('authorization') ?? '';
    if (!header.startsWith('Bearer ')) return fail(res, 400, 9106, 'Missing X-Auth-Key, X-Auth-Email or Authorization headers');
    const account = state.accounts.get(req.params.accountId);
    if (!account) return fail(res, 403, 9109, 'Unauthorized to access requested resource');
    if (header.slice('Bearer '.length) !== account.token) return fail(res, 401, 10000, 'Authentication error');
    next();
  });

  router.get('/accounts/:accountId/addressing/prefixes', (req, res) => {
    const account = state.accounts.get(req.params.accountId);
    ok(
      res,
      (account?.prefixes ?? []).map(({ id, cidr }) => ({ id, cidr, account_id: req.params.accountId, approved: 'V' })),
    );
  });

  function findPrefix(req: Request<{ accountId: string; prefixId: string }>): SimPrefix | undefined {
    return state.accounts.get(req.params.accountId)?.prefixes.find((p) => p.id === req.params.prefixId);
  }

  router.get('/accounts/:accountId/addressing/prefixes/:prefixId', (req, res) => {
    const prefix = findPrefix(req);
    if (!prefix) return fail(res, 404, 7003, 'Could not route to /addressing/prefixes, perhaps your object identifier is invalid?');
    ok(res, { id: prefix.id, cidr: prefix.cidr, account_id: req.params.accountId, approved: 'V' });
  });

  router.get('/accounts/:accountId/addressing/prefixes/:prefixId/bgp/prefixes', (req, res) => {
    const prefix = findPrefix(req);
    if (!prefix) return fail(res, 404, 7003, 'Could not route to /addressing/prefixes, perhaps your object identifier is invalid?');
    ok(res, prefix.bgpPrefixes);
  });

  router.get('/accounts/:accountId/addressing/prefixes/:prefixId/bgp/prefixes/:bgpPrefixId', (req, res) => {
    const bgp = state.bgpPrefix(req.params.accountId, req.params.prefixId, req.params.bgpPrefixId);
    if (!bgp) return fail(res, 404, 7003, 'Could not route to /bgp/prefixes, perhaps your object identifier is invalid?');
    ok(res, bgp);
  });

  router.patch('/accounts/:accountId/addressing/prefixes/:prefixId/bgp/prefixes/:bgpPrefixId', (req, res) => {
    const bgp = state.bgpPrefix(req.params.accountId, req.params.prefixId, req.params.bgpPrefixId);
    if (!bgp) return fail(res, 404, 7003, 'Could not route to /bgp/prefixes, perhaps your object identifier is invalid?');
    const advertised = (req.body as { on_demand?: { advertised?: unknown } } | undefined)?.on_demand?.advertised;
    if (advertised !== undefined && typeof advertised !== 'boolean') return fail(res, 400, 1000, 'on_demand.advertised must be a boolean');
    if (advertised !== undefined && advertised !== (bgp.on_demand.advertised === true)) {
      if (!bgp.on_demand.on_demand_enabled) return fail(res, 400, 1003, 'Prefix is not enabled for on-demand advertisement');
      if (bgp.on_demand.on_demand_locked) return fail(res, 400, 1004, 'Prefix is locked');
      const last = Date.parse(bgp.on_demand.advertised_modified_at ?? '');
      const windowMs = state.timing.cloudflareChangeIntervalSeconds * 1000;
      // "A prefix can be activated or deactivated once every 15 minutes"; the real error code is unconfirmed.
      if (!Number.isNaN(last) && state.clock.now() - last < windowMs) {
        return fail(res, 429, 1002, 'Prefix advertisement was changed less than 15 minutes ago');
      }
      bgp.on_demand.advertised = advertised;
      bgp.on_demand.advertised_modified_at = new Date(state.clock.now()).toISOString();
    }
    ok(res, bgp);
  });

  // Legacy (deprecated) status endpoints, kept for compatibility: they act on the prefix's own BGP prefix.
  router.get('/accounts/:accountId/addressing/prefixes/:prefixId/bgp/status', (req, res) => {
    const bgp = findPrefix(req)?.bgpPrefixes[0];
    if (!bgp) return fail(res, 404, 7003, 'Could not route to /bgp/status, perhaps your object identifier is invalid?');
    ok(res, { advertised: bgp.on_demand.advertised === true, advertised_modified_at: bgp.on_demand.advertised_modified_at });
  });

  return router;
}

/**
 * Seeding (`/_sim/cloudflare/prefixes`), advertising behind our back (`/_sim/cloudflare/advertised`),
 * traffic (`/_sim/cloudflare/traffic`) and the token's analytics permission (`/_sim/cloudflare/analytics`).
 */
export const cloudflareSimulator: SimulatedProvider<CloudflareSimState, 'cloudflare'> = {
  type: 'cloudflare',
  mount: '/cloudflare',
  urlPath: '/cloudflare',
  createState: (clock, timing) => new CloudflareSimState(clock, timing),
  routes: (state) => [cloudflareRouter(state)],
  admin(router, state) {
    router.post('/prefixes', (req, res) => {
      state.seed(req.body as CloudflareSeed);
      created(res);
    });
    router.post('/advertised', (req, res) => {
      const { accountId, prefixId, bgpPrefixId, advertised } = req.body as CloudflareSeed & { advertised: boolean };
      res.status(state.setAdvertised(accountId, prefixId, bgpPrefixId, advertised) ? 200 : 404).json({});
    });
    // {accountId, cidr, droppedBps, droppedPps, passedBps, passedPps, at?}: rates from `at` (ms or ISO; default now) on.
    router.post(
      '/traffic',
      adminHandler(({ accountId, cidr, at, ...rates }) => state.setTraffic(String(accountId), String(cidr), parseRates(rates), parseMoment(at, state.clock))),
    );
    // {accountId, allowed}: whether the account's token has Account Analytics Read.
    router.post(
      '/analytics',
      adminHandler(({ accountId, allowed }) => state.setAnalytics(String(accountId), allowed !== false)),
    );
  },
  reset(state) {
    state.accounts.clear();
    state.clearTelemetry();
  },
  view: (state) =>
    [...state.accounts.values()].flatMap((a) =>
      a.prefixes.flatMap((p) =>
        p.bgpPrefixes.map((b) => ({
          accountId: a.id,
          prefixId: p.id,
          bgpPrefixId: b.id,
          cidr: b.cidr,
          advertised: b.on_demand.advertised === true,
          analytics: a.analytics,
          traffic: cloudflareTrafficNow(state.traffic, a.id, b.cidr, state.clock.now()),
        })),
      ),
    ),
};
