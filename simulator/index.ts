/**
 * The provider simulator: one HTTP server standing in for the provider APIs we
 * cannot reach in tests and the dev stack, so the real adapters run unchanged.
 * Provider routes live under `/cloudflare`; test controls under `/_sim`.
 */
import express from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { CloudflareSimState, cloudflareRouter, type CloudflareSeed } from './cloudflare';
import { FaultBook, type Fault } from './faults';

export interface RunningSimulator {
  url: string;
  cloudflareUrl: string;
  cloudflare: CloudflareSimState;
  faults: FaultBook;
  close(): Promise<void>;
}

export function createSimulatorApp(cloudflare = new CloudflareSimState(), faults = new FaultBook()) {
  const app = express();
  app.use(express.json({ limit: '1mb' }));
  app.use('/cloudflare', faults.middleware('cloudflare'), cloudflareRouter(cloudflare));

  app.post('/_sim/reset', (_req, res) => {
    cloudflare.accounts.clear();
    faults.reset();
    res.status(204).end();
  });
  app.post('/_sim/cloudflare/prefixes', (req, res) => {
    cloudflare.seed(req.body as CloudflareSeed);
    res.status(201).json({ ok: true });
  });
  app.post('/_sim/faults', (req, res) => {
    faults.add(req.body as Fault);
    res.status(201).json({ ok: true });
  });
  app.get('/_sim/requests', (_req, res) => {
    res.json(faults.requests);
  });
  return { app, cloudflare, faults };
}

export async function startSimulator(port = 0, host = '127.0.0.1'): Promise<RunningSimulator> {
  const { app, cloudflare, faults } = createSimulatorApp();
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(port, host, () => resolve(s));
  });
  const { port: bound } = server.address() as AddressInfo;
  const url = `http://${host}:${bound}`;
  return {
    url,
    cloudflareUrl: `${url}/cloudflare`,
    cloudflare,
    faults,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
