/**
 * Jest global teardown: stops the FerretDB that global setup started, if any, then runs the
 * suite-wide secret scan: every credential any test created, searched for in every API
 * response, log line, adapter outcome and workflow history of the run. Any hit fails the run.
 */
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { scanDirectory } from './secret-scan';

async function stopFerretDb(): Promise<void> {
  const child = (globalThis as { __ferretdb?: ChildProcess }).__ferretdb;
  if (!child || child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export default async function globalTeardown(): Promise<void> {
  await stopFerretDb();
  const dir = process.env.SECRET_SCAN_DIR;
  if (!dir) return;
  const result = scanDirectory(dir);
  const counts = Object.entries(result.records)
    .map(([kind, n]) => `${kind}: ${n}`)
    .join(', ');
  process.stdout.write(`\nsecret scan: ${result.secrets} test credentials searched in (${counts}): ${result.found.length} found\n`);
  if (result.found.length > 0) {
    throw new Error(`credentials leaked: ${result.found.map((f) => `${f.secret} in ${f.kinds.join('/')}`).join('; ')} (records kept in ${dir})`);
  }
  rmSync(dir, { recursive: true, force: true });
}
