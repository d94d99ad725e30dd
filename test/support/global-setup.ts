/**
 * Jest global setup: one MongoDB-protocol server for the whole run. Uses MONGO_URL when
 * set (any MongoDB); otherwise starts FerretDB (SQLite) from .tools/, installed by
 * scripts/setup.sh. Fails loudly when neither is available. Also makes the directory the
 * suite-wide secret scan collects into (test/support/secret-scan.ts).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { freePort, isListening } from './net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const REPO_ROOT = resolve(__dirname, '..', '..');

async function waitForPort(port: number, timeoutMs: number, exited: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited()) throw new Error('FerretDB exited at start (its log is above)');
    if (await isListening(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`FerretDB did not listen on port ${port} within ${timeoutMs} ms`);
}

export default async function globalSetup(): Promise<void> {
  process.env.SECRET_SCAN_DIR = mkdtempSync(join(tmpdir(), 'scrubbing-secret-scan-'));
  if (process.env.MONGO_URL) {
    process.env.TEST_MONGO_URL = process.env.MONGO_URL;
    return;
  }
  const binary = process.env.FERRETDB_PATH ?? join(REPO_ROOT, '.tools', 'ferretdb');
  if (!existsSync(binary)) throw new Error(`FerretDB not found at ${binary}: run \`npm test\` (scripts/setup.sh builds it) or set MONGO_URL`);
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'scrubbing-ferretdb-'));
  const child = spawn(
    binary,
    ['--handler=sqlite', `--sqlite-url=file:${dataDir}/`, `--listen-addr=127.0.0.1:${port}`, '--telemetry=disable', '--log-level=error', '--debug-addr=-', `--state-dir=${dataDir}`],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  (globalThis as { __ferretdb?: typeof child }).__ferretdb = child;
  await waitForPort(port, 20_000, () => child.exitCode !== null);
  process.env.TEST_MONGO_URL = `mongodb://127.0.0.1:${port}`;
}
