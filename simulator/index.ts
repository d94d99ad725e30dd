/**
 * The provider simulator: one HTTP server standing in for the provider APIs we
 * cannot reach in tests, the dev stack and benchmarks, so the real adapters run
 * unchanged. Provider routes under `/cloudflare`, `/ovh`, `/hetzner`; the admin API
 * (seed state, change it behind our back, faults, clock, calls received) under `/_sim`.
 */
import express, { type Request } from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { CloudflareSimState, cloudflareRouter } from './cloudflare';
import { DOCUMENTED_TIMING, SimClock, type SimTiming } from './clock';
import { FaultBook } from './faults';
import { HetznerSimState, hetznerRouter } from './hetzner';
import { OvhSimState, ovhRouter } from './ovh';
import { adminRouter } from './admin';

export interface Simulator {
  clock: SimClock;
  timing: SimTiming;
  cloudflare: CloudflareSimState;
  ovh: OvhSimState;
  hetzner: HetznerSimState;
  faults: FaultBook;
}

export interface RunningSimulator extends Simulator {
  url: string;
  cloudflareUrl: string;
  ovhUrl: string;
  hetznerUrl: string;
  close(): Promise<void>;
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
    cloudflareUrl: `${url}/cloudflare`,
    ovhUrl: `${url}/ovh/1.0`,
    hetznerUrl: `${url}/hetzner`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
