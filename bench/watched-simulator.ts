/**
 * The provider simulator as the bench sees it: the real simulator app (instant provider
 * timings) behind one middleware that stamps when each Cloudflare BGP-prefix GET and
 * PATCH arrives, before anything else runs, and lets the bench wait for "prefix X
 * advertised" or "withdrawn". The stamp is the moment the provider received the request.
 */
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ProviderType } from '../catalog';
import { createSimulator, createSimulatorApp, simulatorUrls, type Simulator } from '../simulator';
import { now } from './clock';

export const INSTANT_PROVIDERS = { cloudflareChangeIntervalSeconds: 0, ovhPendingMs: 0, hetznerInProcessMs: 0 };

const BGP_PATCH = /\/bgp\/prefixes\/([^/]+)$/;

export interface WatchedSimulator {
  sim: Simulator;
  url: string;
  cloudflareUrl: string;
  ovhUrl: string;
  hetznerUrl: string;
  providerUrls: Record<ProviderType, string>;
  /** How many BGP-prefix PATCHes arrived so far. */
  patches(): number;
  /** When the latest GET of this BGP prefix arrived, if at or after `since`. */
  lastRead(bgpPrefixId: string, since: number): number | undefined;
  /** When the latest PATCH setting `advertised` on this BGP prefix arrived at or after `since`; waits for it. */
  waitForPatch(bgpPrefixId: string, advertised: boolean, since: number, timeoutMs: number): Promise<number>;
  close(): Promise<void>;
}

export async function startWatchedSimulator(): Promise<WatchedSimulator> {
  const sim = createSimulator(INSTANT_PROVIDERS);
  const latest = new Map<string, number>();
  const waiters = new Map<string, Set<() => void>>();
  let patches = 0;

  const app = express();
  app.use((req, res, next) => {
    const arrivedAt = now();
    const bgp = BGP_PATCH.exec(req.path)?.[1];
    // Our adapter reads the prefix before it patches it.
    if (bgp && req.method === 'GET') latest.set(`${bgp}:read`, arrivedAt);
    if (bgp && req.method === 'PATCH') {
      // The body is parsed by the simulator's own middleware; read it once the answer is out.
      res.on('finish', () => {
        const advertised = (req.body as { on_demand?: { advertised?: unknown } } | undefined)?.on_demand?.advertised;
        if (typeof advertised !== 'boolean') return;
        patches++;
        const key = `${bgp}:${advertised}`;
        latest.set(key, arrivedAt);
        waiters.get(key)?.forEach((wake) => wake());
      });
    }
    next();
  });
  app.use(createSimulatorApp(sim));
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    sim,
    url,
    ...simulatorUrls(url),
    patches: () => patches,
    lastRead(bgpPrefixId, since) {
      const at = latest.get(`${bgpPrefixId}:read`);
      return at !== undefined && at >= since ? at : undefined;
    },
    waitForPatch(bgpPrefixId, advertised, since, timeoutMs) {
      const key = `${bgpPrefixId}:${advertised}`;
      const seen = () => {
        const at = latest.get(key);
        return at !== undefined && at >= since ? at : undefined;
      };
      const already = seen();
      if (already !== undefined) return Promise.resolve(already);
      return new Promise((resolve, reject) => {
        const set = waiters.get(key) ?? new Set();
        waiters.set(key, set);
        const done = () => {
          set.delete(wake);
          if (set.size === 0) waiters.delete(key);
          clearTimeout(timer);
        };
        const wake = () => {
          const at = seen();
          if (at === undefined) return;
          done();
          resolve(at);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no PATCH advertised=${advertised} for BGP prefix ${bgpPrefixId} within ${timeoutMs} ms`));
        }, timeoutMs);
        set.add(wake);
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
