/**
 * The provider simulator as the bench sees it: the real simulator app (instant provider
 * timings) in a process of its own (simulator-process.ts), which stamps when each Cloudflare
 * BGP-prefix GET and PATCH arrives and reports the stamps here, so the bench can wait for
 * "prefix X advertised" or "withdrawn". The stamp is the moment the provider received the request.
 */
import { fork } from 'node:child_process';
import type { ProviderType } from '../catalog';
import type { CloudflareSeed } from '../simulator/cloudflare';
import { simulatorUrls } from '../simulator';
import { cpuSeconds, stopProcess } from './processes';
import type { FromSimulator, ToSimulator } from './simulator-protocol';

export interface WatchedSimulator {
  url: string;
  providerUrls: Record<ProviderType, string>;
  pid: number;
  /** CPU seconds the simulator process used so far. */
  cpuSeconds(): number;
  /** Adds simulated Cloudflare prefixes (resolves once the simulator has them). */
  seed(prefixes: CloudflareSeed[]): Promise<void>;
  /** When the latest GET of this BGP prefix arrived, if at or after `since`. */
  lastRead(bgpPrefixId: string, since: number): number | undefined;
  /** When the latest PATCH setting `advertised` on this BGP prefix arrived at or after `since`; waits for it. */
  waitForPatch(bgpPrefixId: string, advertised: boolean, since: number, timeoutMs: number): Promise<number>;
  close(): Promise<void>;
}

export async function startWatchedSimulator(logFile: number | 'ignore' = 'ignore'): Promise<WatchedSimulator> {
  const child = fork(require.resolve('./simulator-process'), [], {
    execArgv: ['-r', 'ts-node/register/transpile-only'],
    stdio: ['ignore', logFile, logFile, 'ipc'],
  });
  const latest = new Map<string, number>();
  const waiters = new Map<string, Set<() => void>>();
  const seeded = new Map<number, () => void>();
  let nextSeed = 0;
  const key = (bgpPrefixId: string, advertised: boolean | null) => `${bgpPrefixId}:${advertised === null ? 'read' : advertised}`;

  const url = await new Promise<string>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`the bench's simulator process exited (${code}) at start`));
    child.once('exit', onExit);
    child.on('message', (message: FromSimulator) => {
      if (message.type === 'ready') {
        child.off('exit', onExit);
        resolve(message.url);
      } else if (message.type === 'seeded') {
        seeded.get(message.id)?.();
        seeded.delete(message.id);
      } else if (message.type === 'seen') {
        for (const { bgpPrefixId, arrivedAt, advertised } of message.requests) {
          const k = key(bgpPrefixId, advertised);
          latest.set(k, Math.max(latest.get(k) ?? -Infinity, arrivedAt));
          if (advertised !== null) waiters.get(k)?.forEach((wake) => wake());
        }
      }
    });
  });
  const send = (message: ToSimulator) => child.send(message);

  return {
    url,
    ...simulatorUrls(url),
    pid: child.pid as number,
    cpuSeconds: () => cpuSeconds(child.pid as number),
    seed(prefixes) {
      const id = ++nextSeed;
      return new Promise<void>((resolve) => {
        seeded.set(id, resolve);
        send({ type: 'seed', id, prefixes });
      });
    },
    lastRead(bgpPrefixId, since) {
      const at = latest.get(key(bgpPrefixId, null));
      return at !== undefined && at >= since ? at : undefined;
    },
    waitForPatch(bgpPrefixId, advertised, since, timeoutMs) {
      const k = key(bgpPrefixId, advertised);
      const seen = () => {
        const at = latest.get(k);
        return at !== undefined && at >= since ? at : undefined;
      };
      const already = seen();
      if (already !== undefined) return Promise.resolve(already);
      return new Promise((resolve, reject) => {
        const set = waiters.get(k) ?? new Set();
        waiters.set(k, set);
        const done = () => {
          set.delete(wake);
          if (set.size === 0) waiters.delete(k);
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
    close: () => stopProcess(child),
  };
}
