/**
 * BENCH_CPU_PROFILE_DIR: a CPU profile of the bench process's main thread (our API, the baseline's endpoint
 * and the load), written there as the process exits (`<name>-<pid>.cpuprofile`, for Chrome DevTools or
 * `bench/profile-summary.ts`). Taken with node:inspector because Node refuses `--cpu-prof` in
 * NODE_OPTIONS. The worker processes are forked with `--cpu-prof` instead (bench/worker-client.ts), which
 * profiles their workflow threads too.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

/**
 * Starts the profile; the returned function stops it and writes the file (once). It is also called as the
 * process exits, but the bench calls it itself before it stops its stack: written only from the exit
 * event, the profile was missing after some runs (nineteenth and twentieth sessions).
 */
export function profileUntilExit(dir: string | undefined, name: string): () => Promise<void> {
  if (!dir) return () => Promise.resolve();
  mkdirSync(dir, { recursive: true });
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  let written: Promise<void> | undefined;
  const write = () =>
    (written ??= new Promise<void>((resolve) => {
      session.post('Profiler.stop', (err, result) => {
        if (err) process.stderr.write(`the bench process's CPU profile could not be taken: ${err.message}\n`);
        else writeFileSync(join(dir, `${name}-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
        resolve();
      });
    }));
  process.once('exit', () => void write());
  return write;
}
