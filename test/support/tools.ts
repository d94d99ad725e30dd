/**
 * Where the test bed's real servers come from. `scripts/setup.sh` (run by
 * `npm test`) installs them from the registries; a missing binary fails the
 * run loudly instead of skipping anything.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..', '..');

export function temporalCliPath(): string {
  const path = process.env.TEMPORAL_CLI_PATH ?? resolve(REPO_ROOT, '.tools/temporal/bin/temporal');
  if (!existsSync(path)) {
    throw new Error(`Temporal CLI not found at ${path}: run \`npm test\` (it runs scripts/setup.sh) or set TEMPORAL_CLI_PATH`);
  }
  return path;
}
