/**
 * BENCH_CPU_PROFILE_DIR: a CPU profile of a bench process's main thread, written there as the process
 * exits (`<name>-<pid>.cpuprofile`, for Chrome DevTools or any .cpuprofile reader). Taken with
 * node:inspector because Node refuses `--cpu-prof` in NODE_OPTIONS. A worker's workflow code runs in
 * worker threads and is not in it: its activities, Core's bridge, the database driver and HTTP are.
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
