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

export function profileUntilExit(dir: string | undefined, name: string): void {
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  process.once('exit', () => {
    // A session on the main thread answers at once, so the profile is written before the process ends.
    session.post('Profiler.stop', (err, result) => {
      if (!err) writeFileSync(join(dir, `${name}-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
