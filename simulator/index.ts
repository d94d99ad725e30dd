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
import { DOCUMENTED_TIMING, SimClock, type SimTiming } from './clock';
import { FaultBook } from './faults';
import { simulatedProviders, type SimulatedStates } from './providers';
import { adminRouter } from './admin';

/** The simulator's state: each provider's (`sim.cloudflare`, …), its clock, timings and faults. */
export type Simulator = SimulatedStates & {
  clock: SimClock;
  timing: SimTiming;
  faults: FaultBook;
};

type ProviderUrls = Record<`${ProviderType}Url`, string> & {
  /** Each provider type's base URL here, as the worker's providerUrls. */
  providerUrls: Record<ProviderType, string>;
};

export type RunningSimulator = Simulator &
  ProviderUrls & {
    url: string;
    close(): Promise<void>;
  };

/** Where each provider's API is on a simulator at `url` (`cloudflareUrl`, …, and all of them as `providerUrls`). */
export function simulatorUrls(url: string): ProviderUrls {
  const providerUrls = Object.fromEntries(simulatedProviders.map((p) => [p.type, `${url}${p.urlPath}`])) as Record<ProviderType, string>;
  const named = Object.fromEntries(simulatedProviders.map((p) => [`${p.type}Url`, providerUrls[p.type]])) as Record<`${ProviderType}Url`, string>;
  return { ...named, providerUrls };
}

export function createSimulator(timing: Partial<SimTiming> = {}): Simulator {
  const clock = new SimClock();
  const fullTiming = { ...DOCUMENTED_TIMING, ...timing };
  const states = Object.fromEntries(simulatedProviders.map((p) => [p.type, p.createState(clock, fullTiming)])) as SimulatedStates;
  return { ...states, clock, timing: fullTiming, faults: new FaultBook() };
}

export function createSimulatorApp(sim: Simulator) {
  const app = express();
  app.set('trust proxy', false);
  // Keep the raw body: OVH signs the exact bytes sent.
  const keepRaw = (req: Request & { rawBody?: string }, _res: unknown, buf: Buffer) => {
    req.rawBody = buf.toString('utf8');
  };
  app.use(express.json({ limit: '1mb', verify: keepRaw }));
  for (const provider of simulatedProviders) app.use(provider.mount, sim.faults.middleware(provider.type), ...provider.routes(sim[provider.type]));
  app.use('/_sim', adminRouter(sim));
  return app;
}

export async function startSimulator(options: { port?: number; host?: string; timing?: Partial<SimTiming> } = {}): Promise<RunningSimulator> {
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
