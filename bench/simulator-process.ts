/**
 * The provider simulator in a process of its own (forked by watched-simulator.ts): the real
 * simulator app with instant provider timings, behind one middleware that stamps when each
 * Cloudflare BGP-prefix GET and PATCH arrives, before anything else runs. The stamps go to the
 * bench over IPC, on the clock every bench process shares (bench/clock.ts). In production the
 * provider is not in our API's process: here it no longer shares the API's event loop either.
 */
import express from 'express';
import type { AddressInfo } from 'node:net';
import { createSimulator, createSimulatorApp } from '../simulator';
import { INSTANT_TIMING } from '../simulator/clock';
import { now } from './clock';
import type { FromSimulator, SeenRequest, ToSimulator } from './simulator-protocol';

const BGP_PREFIX = /\/bgp\/prefixes\/([^/]+)$/;

const send = (message: FromSimulator) => process.send?.(message);

function main(): void {
  const sim = createSimulator(INSTANT_TIMING);
  // Stamps go out together, once per turn of the event loop: one IPC message per burst of requests, not per request.
  let seen: SeenRequest[] = [];
  const flush = () => {
    const batch = seen;
    seen = [];
    send({ type: 'seen', requests: batch });
  };
  const note = (request: SeenRequest) => {
    if (seen.push(request) === 1) setImmediate(flush);
  };

  const app = express();
  app.use((req, res, next) => {
    const arrivedAt = now();
    const bgpPrefixId = BGP_PREFIX.exec(req.path)?.[1];
    // Our adapter reads the prefix before it patches it.
    if (bgpPrefixId && req.method === 'GET') note({ bgpPrefixId, arrivedAt, advertised: null });
    if (bgpPrefixId && req.method === 'PATCH') {
      // The body is parsed by the simulator's own middleware; read it once the answer is out.
      res.on('finish', () => {
        const advertised = (req.body as { on_demand?: { advertised?: unknown } } | undefined)?.on_demand?.advertised;
        if (typeof advertised === 'boolean') note({ bgpPrefixId, arrivedAt, advertised });
      });
    }
    next();
  });
  app.use(createSimulatorApp(sim));
  const server = app.listen(0, '127.0.0.1', () => send({ type: 'ready', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
  // The workers' provider calls under a burst: many connections at once.
  server.maxConnections = 10_000;

  process.on('message', (message: ToSimulator) => {
    if (message.type === 'seed') {
      for (const prefix of message.prefixes) sim.cloudflare.seed(prefix);
      send({ type: 'seeded', id: message.id });
    }
  });
  // The bench is gone (or stops it): nothing to serve.
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => {
    server.closeAllConnections(); // the workers' keep-alive connections would hold close() open
    server.close(() => process.exit(0));
  });
}

main();
