/**
 * A Hetzner Robot firewall simulator (README, Providers: Hetzner Robot): basic auth with the
 * 3-failure, 10-minute lockout per client IP; GET and form-encoded full-replace
 * POST of `/firewall/{server-number}`; "in process" after a change, 409
 * FIREWALL_IN_PROCESS during it; 400 INVALID_INPUT over 10 rules per direction.
 */
import express, { Router, type Request, type Response } from 'express';
import type { SimClock, SimTiming } from './clock';
import { created, type SimulatedProvider } from './provider';

const RULE_FIELDS = ['name', 'ip_version', 'dst_ip', 'dst_port', 'src_ip', 'src_port', 'protocol', 'tcp_flags', 'action'] as const;
export type SimRule = Record<(typeof RULE_FIELDS)[number], string | null>;

export interface SimFirewall {
  status: 'active' | 'disabled';
  filter_ipv6: boolean;
  whitelist_hos: boolean;
  port: 'main' | 'kvm';
  rules: { input: SimRule[]; output: SimRule[] };
}

interface SimServer {
  number: number;
  ip: string;
  available: boolean;
  firewall: SimFirewall;
  inProcessUntil: number;
}

export interface HetznerServerSeed {
  serverNumber: number;
  serverIp?: string;
  available?: boolean;
  firewall?: Partial<Omit<SimFirewall, 'rules'>> & { rules?: { input?: Partial<SimRule>[]; output?: Partial<SimRule>[] } };
}

const LOCKOUT_FAILURES = 3;
const LOCKOUT_MS = 10 * 60 * 1000;

function fullRule(rule: Partial<SimRule>): SimRule {
  return Object.fromEntries(RULE_FIELDS.map((f) => [f, rule[f] ?? null])) as SimRule;
}

export class HetznerSimState {
  readonly users = new Map<string, string>();
  readonly servers = new Map<number, SimServer>();
  private readonly failures = new Map<string, { count: number; blockedUntil: number }>();

  constructor(
    readonly clock: SimClock,
    readonly timing: SimTiming,
  ) {}

  seedServer(seed: HetznerServerSeed): void {
    const fw = seed.firewall ?? {};
    this.servers.set(seed.serverNumber, {
      number: seed.serverNumber,
      ip: seed.serverIp ?? `198.51.100.${seed.serverNumber % 250}`,
      available: seed.available ?? true,
      inProcessUntil: 0,
      firewall: {
        status: fw.status ?? 'disabled',
        filter_ipv6: fw.filter_ipv6 ?? false,
        whitelist_hos: fw.whitelist_hos ?? true,
        port: fw.port ?? 'main',
        rules: { input: (fw.rules?.input ?? []).map(fullRule), output: (fw.rules?.output ?? []).map(fullRule) },
      },
    });
  }

  /** Authenticates, counting failures per client IP; true when the request may proceed. */
  authenticate(clientIp: string, header: string | undefined): boolean {
    const record = this.failures.get(clientIp) ?? { count: 0, blockedUntil: 0 };
    if (record.blockedUntil > this.clock.now()) return false;
    const decoded = header?.startsWith('Basic ') ? Buffer.from(header.slice(6), 'base64').toString() : '';
    const colon = decoded.indexOf(':');
    const ok = colon > 0 && this.users.get(decoded.slice(0, colon)) === decoded.slice(colon + 1);
    if (ok) {
      this.failures.delete(clientIp);
      return true;
    }
    record.count++;
    if (record.count >= LOCKOUT_FAILURES) record.blockedUntil = this.clock.now() + LOCKOUT_MS;
    this.failures.set(clientIp, record);
    return false;
  }

  view(server: SimServer) {
    const inProcess = server.inProcessUntil > this.clock.now();
    return { server_ip: server.ip, server_number: server.number, ...server.firewall, status: inProcess ? 'in process' : server.firewall.status };
  }
}

function fail(res: Response, status: number, code: string, message: string, extra: Record<string, unknown> = {}): void {
  res.status(status).json({ error: { status, code, message, ...extra } });
}

type FormRules = Partial<Record<'input' | 'output', Record<string, Partial<SimRule>> | Partial<SimRule>[]>>;

export function hetznerRouter(state: HetznerSimState): Router {
  const router = Router();
  router.use((req, res, next) => {
    if (!state.authenticate(req.ip ?? 'unknown', req.get('authorization'))) return fail(res, 401, 'UNAUTHORIZED', 'Unauthorized');
    next();
  });

  function server(req: Request<{ number: string }>, res: Response): SimServer | undefined {
    const found = state.servers.get(Number(req.params.number));
    if (!found) return void fail(res, 404, 'SERVER_NOT_FOUND', 'Server not found');
    if (!found.available) return void fail(res, 404, 'FIREWALL_NOT_AVAILABLE', 'Firewall not available for this server');
    return found;
  }

  router.get('/firewall/:number', (req, res) => {
    const found = server(req, res);
    if (found) res.json({ firewall: state.view(found) });
  });

  router.post('/firewall/:number', (req, res) => {
    const found = server(req, res);
    if (!found) return;
    if (found.inProcessUntil > state.clock.now()) return fail(res, 409, 'FIREWALL_IN_PROCESS', 'The firewall is currently being processed');
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (body.status !== 'active' && body.status !== 'disabled') {
      return fail(res, 400, 'INVALID_INPUT', 'Invalid input parameters', { missing: body.status === undefined ? ['status'] : null, invalid: body.status === undefined ? null : ['status'] });
    }
    const rules = (body.rules ?? {}) as FormRules;
    const list = (direction: 'input' | 'output') => Object.values(rules[direction] ?? {}).map(fullRule);
    const input = list('input');
    const output = list('output');
    if (input.length > 10 || output.length > 10) return fail(res, 400, 'INVALID_INPUT', 'Invalid input parameters', { missing: null, invalid: ['rules'] });
    // POST replaces the whole configuration: whatever is not sent is gone.
    found.firewall = {
      status: body.status,
      filter_ipv6: body.filter_ipv6 === 'true',
      whitelist_hos: body.whitelist_hos === undefined ? true : body.whitelist_hos === 'true',
      port: body.port === 'kvm' ? 'kvm' : 'main',
      rules: { input, output },
    };
    found.inProcessUntil = state.clock.now() + state.timing.hetznerInProcessMs;
    res.status(202).json({ firewall: state.view(found) });
  });

  return router;
}

/** Seeding (`/_sim/hetzner/users`, `/_sim/hetzner/servers`) and a firewall switched behind our back (`/_sim/hetzner/firewall-status`). */
export const hetznerSimulator: SimulatedProvider<HetznerSimState, 'hetzner'> = {
  type: 'hetzner',
  mount: '/hetzner',
  urlPath: '/hetzner',
  createState: (clock, timing) => new HetznerSimState(clock, timing),
  // Robot takes form-encoded bodies.
  routes: (state) => [express.urlencoded({ extended: true }), hetznerRouter(state)],
  admin(router, state) {
    router.post('/users', (req, res) => {
      const { username, password } = req.body as { username: string; password: string };
      state.users.set(username, password);
      created(res);
    });
    router.post('/servers', (req, res) => {
      state.seedServer(req.body as HetznerServerSeed);
      created(res);
    });
    router.post('/firewall-status', (req, res) => {
      const { serverNumber, status } = req.body as { serverNumber: number; status: 'active' | 'disabled' };
      const server = state.servers.get(serverNumber);
      if (server) server.firewall.status = status;
      res.status(server ? 200 : 404).json({});
    });
  },
  reset(state) {
    state.users.clear();
    state.servers.clear();
  },
  view: (state) => [...state.servers.values()].map((s) => ({ serverNumber: s.number, status: state.view(s).status, inputRules: s.firewall.rules.input.length })),
};
