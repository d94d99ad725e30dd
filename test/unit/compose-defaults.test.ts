/**
 * The compose file's fallbacks (`${NAME:-value}`) are the code's own defaults: a stack started
 * without a .env runs as the README's configuration table says. (Before the fifteenth session it
 * wrote every report Temporal had not confirmed within 200 ms to the outbox, and cached 1,000
 * workflows, while the code's defaults were 1 s and 1,500.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadApiConfig } from '../../api/config';
import { loadWorkerConfig } from '../../worker/config';
import { workerTuningFromEnv } from '../../worker/tuning';
import { REPO_ROOT } from '../support/tools';

/** Values compose sets on purpose for its own deployment, not the code's defaults. */
const DEPLOYMENT_CHOICES = new Set(['TEMPORAL_UI_URL']);

const fallbacks: Record<string, string> = Object.fromEntries(
  [...readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8').matchAll(/^\s+([A-Z][A-Z0-9_]*): \$\{([A-Z][A-Z0-9_]*):-([^}]*)\}\s*$/gm)]
    .filter((m) => m[1] === m[2] && !DEPLOYMENT_CHOICES.has(m[1]!))
    .map((m) => [m[1]!, m[3]!]),
);

test('the compose file has fallbacks to compare (the pattern still matches it)', () => {
  expect(Object.keys(fallbacks)).toEqual(expect.arrayContaining(['INTAKE_DELIVERY_WAIT_MS', 'INTAKE_KEEP_AFTER_MS', 'WORKER_MAX_CACHED_WORKFLOWS', 'WORKER_STICKY_TIMEOUT_SECONDS']));
});

test("the API's configuration from the compose file's fallbacks is its configuration from nothing", () => {
  const base = { ADMIN_TOKEN: 'an-admin-token-of-24-chars-at-least' };
  expect(loadApiConfig({ ...base, ...fallbacks })).toEqual(loadApiConfig(base));
});

test("the worker's configuration and tuning from the compose file's fallbacks are those from nothing", () => {
  expect(workerTuningFromEnv(fallbacks)).toEqual(workerTuningFromEnv({}));
  expect(loadWorkerConfig(fallbacks)).toEqual(loadWorkerConfig({}));
});
