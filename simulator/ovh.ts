/**
 * An OVH API simulator (README, Providers: OVH): `/auth/time`, signed requests
 * verified over the exact URL called (with `%2F`) and raw body, application and
 * consumer keys with access rules (403 NOT_GRANTED_CALL), Edge Network Firewall
 * entries passing through pending states, OVH's own mitigation per IP, and Network Defense v2
 * (`/v2/networkDefense/vac/event` and `/traffic`, signed alike) from the VAC model (simulator/traffic.ts).
 */
import { Router, type Request, type Response } from 'express';
import { createHash, randomBytes } from 'node:crypto';
import type { SimClock, SimTiming } from './clock';
import { created, type SimulatedProvider } from './provider';
import { VacModel, adminHandler, parseMoment, parseRates, vacRoutes, type TrafficRates, type VacEvent } from './traffic';

export interface OvhConsumer {
  applicationKey: string;
  applicationSecret: string;
  consumerKey: string;
  /** e.g. `{ method: 'GET', path: '/ip/*' }`; `*` matches anything. Default: everything. */
  accessRules?: { method: string; path: string }[];
}

interface FirewallEntry {
  enabled: boolean;
  state: 'ok' | 'enableFirewallPending' | 'disableFirewallPending';
  settlesAt: number;
}

export interface OvhIpSeed {
  ipBlock: string;
  ip: string;
  rules?: number;
  firewall?: { enabled: boolean };
  mitigation?: boolean;
}

interface SimIp {
  firewall?: FirewallEntry;
  rules: number;
  mitigation?: { auto: boolean; permanent: boolean; state: string };
}

export class OvhSimState {
  readonly consumers = new Map<string, OvhConsumer>();
  readonly blocks = new Map<string, Map<string, SimIp>>();
  /** OVH's scrubbing centre (VAC): traffic per IP and attack events. */
  readonly vac = new VacModel();

  constructor(
    readonly clock: SimClock,
    readonly timing: SimTiming,
  ) {}

  addConsumer(consumer: OvhConsumer): void {
    this.consumers.set(consumer.consumerKey, consumer);
  }

  seedIp(seed: OvhIpSeed): void {
    const ips = this.blocks.get(seed.ipBlock) ?? new Map<string, SimIp>();
    ips.set(seed.ip, {
      rules: seed.rules ?? 3,
      ...(seed.firewall ? { firewall: { enabled: seed.firewall.enabled, state: 'ok', settlesAt: 0 } } : {}),
      ...(seed.mitigation ? { mitigation: { auto: true, permanent: false, state: 'ok' } } : {}),
    });
    this.blocks.set(seed.ipBlock, ips);
  }

  ip(block: string, ip: string): SimIp | undefined {
    return this.blocks.get(block)?.get(ip);
  }

  /** The firewall entry with any pending state that has run its course settled. */
  firewall(block: string, ip: string): FirewallEntry | undefined {
    const entry = this.ip(block, ip)?.firewall;
    if (entry && entry.state !== 'ok' && this.clock.now() >= entry.settlesAt) entry.state = 'ok';
    return entry;
  }

  /** Traffic through the VAC for the IP from `at` (default now) on. */
  setTraffic(ip: string, rates: Partial<TrafficRates>, at = this.clock.now()): void {
    this.vac.setTraffic(ip, parseRates(rates), at);
  }

  /** Starts (`ongoing`) or ends a VAC event for the IP at `at` (default now); returns the IP's events. */
  setVacEvent(ip: string, ongoing: boolean, options: { vectors?: string[]; at?: number } = {}): VacEvent[] {
    return this.vac.setEvent(ip, ongoing, options.at ?? this.clock.now(), options.vectors);
  }

  setMitigation(block: string, ip: string, active: boolean): boolean {
    const target = this.ip(block, ip);
    if (!target) return false;
    if (active) target.mitigation = { auto: true, permanent: false, state: 'ok' };
    else delete target.mitigation;
    return true;
  }
}

function fail(res: Response, status: number, message: string, errorCode?: string, cls = 'Client::BadRequest'): void {
  res.status(status).json({ class: cls, message, ...(errorCode ? { errorCode, httpCode: `${status}` } : {}) });
}

function patternMatches(pattern: string, value: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return regex.test(value);
}

export function ovhRouter(state: OvhSimState): Router {
  const router = Router();
  router.use((_req, res, next) => {
    res.set('X-OVH-QueryID', `EU.sim.${randomBytes(6).toString('hex')}`);
    next();
  });

  router.get('/1.0/auth/time', (_req, res) => {
    res.type('application/json').send(String(Math.floor(state.clock.now() / 1000)));
  });

  // Every other route is signed: `$1$` + sha1(AS+CK+METHOD+URL+BODY+TS), URL exactly as called.
  router.use((req: Request & { rawBody?: string }, res, next) => {
    const consumer = state.consumers.get(req.get('X-Ovh-Consumer') ?? '');
    if (!req.get('X-Ovh-Application') || ![...state.consumers.values()].some((c) => c.applicationKey === req.get('X-Ovh-Application'))) {
      return fail(res, 403, 'This application key is invalid', 'INVALID_KEY', 'Client::Forbidden');
    }
    if (!consumer || consumer.applicationKey !== req.get('X-Ovh-Application')) {
      return fail(res, 403, 'This credential is not valid', 'INVALID_CREDENTIAL', 'Client::Forbidden');
    }
    const timestamp = Number(req.get('X-Ovh-Timestamp'));
    const url = `${req.protocol}://${req.get('host')}${req.originalUrl}`;
    const preImage = [consumer.applicationSecret, consumer.consumerKey, req.method, url, req.rawBody ?? '', req.get('X-Ovh-Timestamp')].join('+');
    const expected = `$1$${createHash('sha1').update(preImage).digest('hex')}`;
    if (req.get('X-Ovh-Signature') !== expected || !(Math.abs(timestamp - state.clock.now() / 1000) <= 30)) {
      return fail(res, 400, 'Invalid signature');
    }
    const path = decodeURIComponent(req.path.replace(/^\/1\.0/, ''));
    const rules = consumer.accessRules ?? [{ method: '*', path: '/*' }];
    if (!rules.some((r) => (r.method === '*' || r.method === req.method) && patternMatches(r.path, path))) {
      return fail(res, 403, 'This call has not been granted', 'NOT_GRANTED_CALL', 'Client::Forbidden');
    }
    next();
  });

  vacRoutes(router, state.vac, state.clock);

  const notFound = (res: Response, what: string) => fail(res, 404, `The requested object (${what}) does not exist`, undefined, 'Client::NotFound');

  router.get('/1.0/ip/:block', (req, res) => {
    if (!state.blocks.has(req.params.block)) return notFound(res, `ip = ${req.params.block}`);
    res.json({ ip: req.params.block, type: 'dedicated', routedTo: { serviceName: 'ns-sim.example' } });
  });

  router.get('/1.0/ip/:block/firewall', (req, res) => {
    const ips = state.blocks.get(req.params.block);
    if (!ips) return notFound(res, `ip = ${req.params.block}`);
    res.json([...ips.entries()].filter(([, v]) => v.firewall).map(([ip]) => ip));
  });

  router.post('/1.0/ip/:block/firewall', (req, res) => {
    const ip = (req.body as { ipOnFirewall?: unknown })?.ipOnFirewall;
    const target = typeof ip === 'string' ? state.ip(req.params.block, ip) : undefined;
    if (!target) return notFound(res, `ipOnFirewall = ${String(ip)}`);
    if (target.firewall) return fail(res, 409, `This IP is already on the firewall`, undefined, 'Client::Conflict::AlreadyExists');
    target.firewall = { enabled: false, state: 'ok', settlesAt: 0 };
    res.json({ ipOnFirewall: ip, enabled: false, state: 'ok' });
  });

  router.get('/1.0/ip/:block/firewall/:ip', (req, res) => {
    const entry = state.firewall(req.params.block, req.params.ip);
    if (!entry) return notFound(res, `ipOnFirewall = ${req.params.ip}`);
    res.json({ ipOnFirewall: req.params.ip, enabled: entry.enabled, state: entry.state });
  });

  router.put('/1.0/ip/:block/firewall/:ip', (req, res) => {
    const entry = state.firewall(req.params.block, req.params.ip);
    if (!entry) return notFound(res, `ipOnFirewall = ${req.params.ip}`);
    const enabled = (req.body as { enabled?: unknown })?.enabled;
    if (typeof enabled !== 'boolean') return fail(res, 400, 'Invalid parameter enabled');
    if (entry.state !== 'ok') return fail(res, 409, 'A pending task is already running on this firewall', undefined, 'Client::Conflict');
    if (!enabled && state.ip(req.params.block, req.params.ip)?.mitigation) {
      return fail(res, 403, 'The firewall cannot be disabled before the attack ends', undefined, 'Client::Forbidden');
    }
    if (entry.enabled !== enabled) {
      entry.enabled = enabled;
      entry.state = enabled ? 'enableFirewallPending' : 'disableFirewallPending';
      entry.settlesAt = state.clock.now() + state.timing.ovhPendingMs;
    }
    res.json(null);
  });

  router.get('/1.0/ip/:block/firewall/:ip/rule', (req, res) => {
    const target = state.ip(req.params.block, req.params.ip);
    if (!target?.firewall) return notFound(res, `ipOnFirewall = ${req.params.ip}`);
    res.json(Array.from({ length: target.rules }, (_, i) => i));
  });

  router.get('/1.0/ip/:block/mitigation/:ip', (req, res) => {
    const target = state.ip(req.params.block, req.params.ip);
    const mitigation = target?.mitigation;
    if (!target || !mitigation) return notFound(res, `ipOnMitigation = ${req.params.ip}`);
    if (mitigation.state === 'removalPending') {
      delete target.mitigation;
      return notFound(res, `ipOnMitigation = ${req.params.ip}`);
    }
    if (mitigation.state === 'creationPending') mitigation.state = 'ok';
    res.json({ ipOnMitigation: req.params.ip, ...mitigation });
  });

  // Retired "permanent mitigation" (EOL 2025-09-08): still answers, with no traffic effect; `permanent` is informational.
  router.post('/1.0/ip/:block/mitigation', (req, res) => {
    const ip = (req.body as { ipOnMitigation?: unknown })?.ipOnMitigation;
    const target = typeof ip === 'string' ? state.ip(req.params.block, ip) : undefined;
    if (!target) return notFound(res, `ipOnMitigation = ${String(ip)}`);
    if (target.mitigation) return fail(res, 409, 'This IP is already on mitigation', undefined, 'Client::Conflict::AlreadyExists');
    target.mitigation = { auto: false, permanent: true, state: 'creationPending' };
    res.json({ ipOnMitigation: ip, ...target.mitigation });
  });

  router.delete('/1.0/ip/:block/mitigation/:ip', (req, res) => {
    const mitigation = state.ip(req.params.block, req.params.ip)?.mitigation;
    if (!mitigation) return notFound(res, `ipOnMitigation = ${req.params.ip}`);
    mitigation.state = 'removalPending';
    res.json({ ipOnMitigation: req.params.ip, ...mitigation });
  });

  return router;
}

/**
 * Seeding (`/_sim/ovh/consumers`, `/_sim/ovh/ips`), OVH's own mitigation (`/_sim/ovh/mitigation`),
 * VAC traffic (`/_sim/ovh/traffic`) and VAC events (`/_sim/ovh/vac-events`).
 */
export const ovhSimulator: SimulatedProvider<OvhSimState, 'ovh'> = {
  type: 'ovh',
  mount: '/ovh',
  urlPath: '/ovh/1.0',
  createState: (clock, timing) => new OvhSimState(clock, timing),
  routes: (state) => [ovhRouter(state)],
  admin(router, state) {
    router.post('/consumers', (req, res) => {
      state.addConsumer(req.body as OvhConsumer);
      created(res);
    });
    router.post('/ips', (req, res) => {
      state.seedIp(req.body as OvhIpSeed);
      created(res);
    });
    router.post('/mitigation', (req, res) => {
      const { ipBlock, ip, active } = req.body as { ipBlock: string; ip: string; active: boolean };
      res.status(state.setMitigation(ipBlock, ip, active) ? 200 : 404).json({});
    });
    // {ip, droppedBps, droppedPps, passedBps, passedPps, at?}: rates from `at` (ms or ISO; default now) on.
    router.post(
      '/traffic',
      adminHandler(({ ip, at, ...rates }) => state.setTraffic(String(ip), parseRates(rates), parseMoment(at, state.clock))),
    );
    // {ip, ongoing, vectors?, at?}: starts or ends an event; answers the IP's events.
    router.post(
      '/vac-events',
      adminHandler(({ ip, ongoing, vectors, at }) => ({
        events: state.setVacEvent(String(ip), ongoing === true, { at: parseMoment(at, state.clock), ...(Array.isArray(vectors) ? { vectors: vectors.map(String) } : {}) }),
      })),
    );
  },
  reset(state) {
    state.consumers.clear();
    state.blocks.clear();
    state.vac.clear();
  },
  view: (state) =>
    [...state.blocks.entries()].flatMap(([block, ips]) =>
      [...ips.keys()].map((ip) => ({
        ipBlock: block,
        ip,
        firewall: state.firewall(block, ip) ?? null,
        mitigation: Boolean(state.ip(block, ip)?.mitigation),
        vac: { traffic: state.vac.traffic.at(ip, state.clock.now()), events: state.vac.events.filter((e) => e.subnet === `${ip}/32`) },
      })),
    ),
};
