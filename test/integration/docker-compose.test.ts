/**
 * docker-compose.yml and the Dockerfile, checked offline: the compose file loads with
 * compose-go (Docker Compose's own loader, built by scripts/setup.sh) and refuses to run
 * without the secrets it needs; the image is multi-stage, non-root, production dependencies only.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/tools';

const CHECK = join(REPO_ROOT, '.tools', 'compose-check');
const COMPOSE = join(REPO_ROOT, 'docker-compose.yml');
const VARS = ['ENCRYPTION_KEYS=k1:AAAA', 'ADMIN_TOKEN=0123456789abcdef01234567'];
const check = (file: string, vars: string[]) => spawnSync(CHECK, [file, ...vars], { encoding: 'utf8' });

test('docker-compose.yml loads with every service: Temporal on PostgreSQL, its UI, MongoDB, the API and the worker', () => {
  const result = check(COMPOSE, VARS);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  expect(result.stdout.trim().split('\n').sort()).toEqual(
    ['api', 'mongo', 'postgresql', 'temporal', 'temporal-ui', 'worker'].map((s) => `service ${s}`),
  );
});

test('without ENCRYPTION_KEYS or ADMIN_TOKEN the stack refuses to start, naming the variable', () => {
  const result = check(COMPOSE, []);
  expect(result.status).toBe(1);
  expect(result.stderr).toContain('required variable ENCRYPTION_KEYS is missing');
  expect(result.stderr).toContain('required variable ADMIN_TOKEN is missing');
});

test('the checker rejects what Compose would reject (a dependency on a missing service)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'compose-'));
  const broken = readFileSync(COMPOSE, 'utf8').replace('    mongo:\n      condition: service_healthy', '    mongodb-typo:\n      condition: service_healthy');
  writeFileSync(join(dir, 'docker-compose.yml'), broken);
  expect(check(join(dir, 'docker-compose.yml'), VARS).status).toBe(1);
});

test('the Dockerfile is multi-stage, installs production dependencies only and runs as a non-root user', () => {
  const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
  const stages = dockerfile.split(/^FROM /m).slice(1);
  expect(stages.length).toBeGreaterThanOrEqual(2);
  const runtime = stages[stages.length - 1] as string;
  expect(runtime).toMatch(/npm ci --omit=dev/);
  expect(runtime).toMatch(/^USER node$/m);
  expect(runtime).toMatch(/COPY --from=build \/app\/dist/);
  expect(runtime).not.toMatch(/ts-node|npm ci --no-audit --no-fund\n/);
});
