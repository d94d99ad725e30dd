/**
 * Serves an HTTP handler (our API, the baseline endpoint) on a loopback port and stamps
 * the moment each request arrives, keyed by the `x-bench-request` header the bench sends,
 * before the handler runs: "the API accepted the request" starts there.
 */
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { now } from './clock';

export const REQUEST_ID_HEADER = 'x-bench-request';

export interface StampedServer {
  url: string;
  /** Arrival stamp of a request by its id; each stamp is handed out once. */
  takeArrival(requestId: string): number | undefined;
  close(): Promise<void>;
}

export async function listenStamped(handler: RequestListener): Promise<StampedServer> {
  const arrivals = new Map<string, number>();
  const server = createServer((req, res) => {
    const id = req.headers[REQUEST_ID_HEADER];
    if (typeof id === 'string') arrivals.set(id, now());
    handler(req, res);
  });
  // Detectors under a burst open many connections at once.
  server.maxConnections = 10_000;
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    takeArrival(requestId) {
      const at = arrivals.get(requestId);
      arrivals.delete(requestId);
      return at;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
