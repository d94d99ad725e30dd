/**
 * A Gcore DDoS Protection simulator (README, Providers: Gcore): `Authorization: APIKey …`;
 * `GET /security/sifter/v2/protected_addresses/announces` lists each client's `announced` and
 * `not_announced` prefixes (filters `client_id`, `announced`); `POST` on the same path with
 * `{announce, enabled}` switches an existing announce (re-sending it answers 200 again), and
 * refuses a prefix that is in no active profile.
 */
import { Router, type Request, type Response } from 'express';
import { created, type SimulatedProvider } from './provider';

export interface GcoreSeed {
  apiKey: string;
  /** The client the prefix belongs to; a key seeded with several clients is a reseller's. */
  clientId: number;
  prefix: string;
  announced?: boolean;
}

interface SimClient {
  clientId: number;
  /** Prefix → announced. */
  prefixes: Map<string, boolean>;
}

export class GcoreSimState {
  /** API key → its clients, in seeding order (the first is the key's own). */
  readonly keys = new Map<string, SimClient[]>();

  seed(seed: GcoreSeed): void {
    const clients = this.keys.get(seed.apiKey) ?? [];
    let client = clients.find((c) => c.clientId === seed.clientId);
    if (!client) {
      client = { clientId: seed.clientId, prefixes: new Map() };
      clients.push(client);
    }
    client.prefixes.set(seed.prefix, seed.announced ?? false);
    this.keys.set(seed.apiKey, clients);
  }

  /** Changes an announce "behind our back" (the customer portal, another tool). */
  setAnnounced(prefix: string, announced: boolean): boolean {
    for (const clients of this.keys.values()) {
      for (const client of clients) {
        if (client.prefixes.has(prefix)) {
          client.prefixes.set(prefix, announced);
          return true;
        }
      }
    }
    return false;
  }

  /** Every prefix with its state, for the admin API. */
  list(): { clientId: number; prefix: string; announced: boolean }[] {
    return [...this.keys.values()].flatMap((clients) => clients.flatMap((c) => [...c.prefixes.entries()].map(([prefix, announced]) => ({ clientId: c.clientId, prefix, announced }))));
  }
}

const PATH = '/security/sifter/v2/protected_addresses/announces';

function fail(res: Response, status: number, message: string): void {
  res.status(status).json({ message });
}

export function gcoreRouter(state: GcoreSimState): Router {
  const router = Router();

  const clientsOf = (req: Request, res: Response): SimClient[] | undefined => {
    const header = req.get('authorization') ?? '';
    const clients = header.startsWith('APIKey ') ? state.keys.get(header.slice('APIKey '.length)) : undefined;
    if (!clients) {
      fail(res, 401, 'Invalid API key');
      return undefined;
    }
    const wanted = req.query.client_id;
    if (wanted === undefined) return clients;
    const scoped = clients.filter((c) => typeof wanted === 'string' && String(c.clientId) === wanted);
    if (scoped.length === 0) fail(res, 403, 'The client is not managed by this key');
    return scoped.length === 0 ? undefined : scoped;
  };

  router.get(PATH, (req, res) => {
    const clients = clientsOf(req, res);
    if (!clients) return;
    const announcedFilter = req.query.announced === undefined ? undefined : req.query.announced === 'true';
    res.json(
      clients.map((c) => {
        const entries = [...c.prefixes.entries()];
        return {
          client_id: c.clientId,
          announced: announcedFilter === false ? [] : entries.filter(([, on]) => on).map(([p]) => p),
          not_announced: announcedFilter === true ? [] : entries.filter(([, on]) => !on).map(([p]) => p),
        };
      }),
    );
  });

  router.post(PATH, (req, res) => {
    const clients = clientsOf(req, res);
    if (!clients) return;
    const body = (req.body ?? {}) as { announce?: unknown; enabled?: unknown };
    if (typeof body.announce !== 'string' || typeof body.enabled !== 'boolean') {
      return fail(res, 400, 'announce (string) and enabled (boolean) are required');
    }
    // Without client_id, the key's own client (the first).
    const client = req.query.client_id === undefined ? clients[0] : clients.find((c) => c.prefixes.has(body.announce as string));
    if (!client?.prefixes.has(body.announce)) return fail(res, 400, `Announce ${body.announce} not found in active profiles`);
    client.prefixes.set(body.announce, body.enabled);
    res.json({});
  });

  return router;
}

/** Seeding (`/_sim/gcore/prefixes`) and an announce switched behind our back (`/_sim/gcore/announced`). */
export const gcoreSimulator: SimulatedProvider<GcoreSimState, 'gcore'> = {
  type: 'gcore',
  mount: '/gcore',
  urlPath: '/gcore',
  createState: () => new GcoreSimState(),
  routes: (state) => [gcoreRouter(state)],
  admin(router, state) {
    router.post('/prefixes', (req, res) => {
      state.seed(req.body as GcoreSeed);
      created(res);
    });
    router.post('/announced', (req, res) => {
      const { prefix, announced } = req.body as { prefix: string; announced: boolean };
      res.status(state.setAnnounced(prefix, announced) ? 200 : 404).json({});
    });
  },
  reset: (state) => state.keys.clear(),
  view: (state) => state.list(),
};
