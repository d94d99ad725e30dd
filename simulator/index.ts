/**
 * The provider simulator: one HTTP server standing in for the provider APIs we
 * cannot reach in tests, the dev stack and benchmarks, so the real adapters run
 * unchanged. Provider routes under `/cloudflare`, `/ovh`, `/hetzner`, `/gcore`; the admin API
 * (seed state, change it behind our back, faults, clock, calls received) under `/_sim`.
 */
import express, { type Request } from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { ProviderType } from '../catalog';
import { CloudflareSimState, cloudflareRouter } from './cloudflare';
import { DOCUMENTED_TIMING, SimClock, type SimTiming } from './clock';
import { FaultBook } from './faults';
import { GcoreSimState, gcoreRouter } from './gcore';
import { HetznerSimState, hetznerRouter } from './hetzner';
import { OvhSimState, ovhRouter } from './ovh';
import { adminRouter } from './admin';

export interface Simulator {
  clock: SimClock;
  timing: SimTiming;
  cloudflare: CloudflareSimState;
  ovh: OvhSimState;
  hetzner: HetznerSimState;
  gcore: GcoreSimState;
  faults: FaultBook;
}

export interface RunningSimulator extends Simulator {
  url: string;
  cloudflareUrl: string;
  ovhUrl: string;
  hetznerUrl: string;
  gcoreUrl: string;
  /** Each provider type's base URL here, as the worker's providerUrls. */
  providerUrls: Record<ProviderType, string>;
  close(): Promise<void>;
}

/** Where each provider's API is on a simulator at `url`. */
export function simulatorUrls(url: string) {
  const providerUrls: Record<ProviderType, string> = { cloudflare: `${url}/cloudflare`, ovh: `${url}/ovh/1.0`, hetzner: `${url}/hetzner`, gcore: `${url}/gcore` };
  return { cloudflareUrl: providerUrls.cloudflare, ovhUrl: providerUrls.ovh, hetznerUrl: providerUrls.hetzner, gcoreUrl: providerUrls.gcore, providerUrls };
}

export function createSimulator(timing: Partial<SimTiming> = {}): Simulator {
  const clock = new SimClock();
  const fullTiming = { ...DOCUMENTED_TIMING, ...timing };
  return {
    clock,
    timing: fullTiming,
    cloudflare: new CloudflareSimState(clock, fullTiming),
    ovh: new OvhSimState(clock, fullTiming),
    hetzner: new HetznerSimState(clock, fullTiming),
    gcore: new GcoreSimState(),
    faults: new FaultBook(),
  };
}

export function createSimulatorApp(sim: Simulator) {
  const app = express();
  app.set('trust proxy', false);
  // Keep the raw body: OVH signs the exact bytes sent.
  const keepRaw = (req: Request & { rawBody?: string }, _res: unknown, buf: Buffer) => {
    req.rawBody = buf.toString('utf8');
  };
  app.use(express.json({ limit: '1mb', verify: keepRaw }));
  app.use('/cloudflare', sim.faults.middleware('cloudflare'), cloudflareRouter(sim.cloudflare));
  app.use('/ovh', sim.faults.middleware('ovh'), ovhRouter(sim.ovh));
  app.use('/hetzner', sim.faults.middleware('hetzner'), express.urlencoded({ extended: true }), hetznerRouter(sim.hetzner));
  app.use('/gcore', sim.faults.middleware('gcore'), gcoreRouter(sim.gcore));
  app.use('/_sim', adminRouter(sim));
  return app;
}

export async function startSimulator(
  options: { port?: number; host?: string; timing?: Partial<SimTiming> } = {},
): Promise<RunningSimulator> {
  const sim = createSimulator(options.timing);
  const app = createSimulatorApp(sim);
  const host = options.host ?? '127.0.0.1';
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(options.port ?? 0, host, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host}:${port}`;
  return {
    ...sim,
    url,
    ...simulatorUrls(url),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
