/**
 * docker-compose.yml and the Dockerfile, checked offline: the compose file loads with
 * compose-go (Docker Compose's own loader, built by scripts/setup.sh) and refuses to run
 * without the secrets it needs; Temporal runs on temporalio/server at the versions the tests run, its
 * schema and namespace set up by one-shot admin-tools jobs; the image is multi-stage, non-root,
 * production dependencies only.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO_ROOT, temporalCliPath } from '../support/tools';
import { startTemporal } from '../support/temporal';

const CHECK = join(REPO_ROOT, '.tools', 'compose-check');
const COMPOSE = join(REPO_ROOT, 'docker-compose.yml');
const VARS = ['ENCRYPTION_KEYS=k1:AAAA', 'ADMIN_TOKEN=0123456789abcdef01234567'];
const check = (file: string, vars: string[]) => spawnSync(CHECK, [file, ...vars], { encoding: 'utf8' });

test('docker-compose.yml loads with every service: Temporal on PostgreSQL, its UI, MongoDB, the API and the worker', () => {
  const result = check(COMPOSE, VARS);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  expect(result.stdout.trim().split('\n').sort()).toEqual(['api', 'mongo', 'postgresql', 'temporal', 'temporal-namespace', 'temporal-schema', 'temporal-ui', 'worker'].map((s) => `service ${s}`));
});

interface ComposeService {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  volumes?: { source: string; target: string; read_only?: boolean }[];
}

test('Temporal runs on temporalio/server (not the deprecated auto-setup) at the server and UI versions the tests run, after a schema job and before a namespace job', () => {
  const result = spawnSync(CHECK, ['--json', COMPOSE, ...VARS], { encoding: 'utf8' });
  expect(result.status).toBe(0);
  const services = (JSON.parse(result.stdout) as { services: Record<string, ComposeService> }).services;
  // The versions the tests run: setup.sh pins the CLI whose dev server and UI they are.
  const pinned = /Server (\d+\.\d+\.\d+) \+ UI (\d+\.\d+\.\d+)/.exec(readFileSync(join(REPO_ROOT, 'scripts', 'setup.sh'), 'utf8'));
  expect(pinned).not.toBeNull();
  const [, server, ui] = pinned!;
  expect(services.temporal?.image).toBe(`temporalio/server:${server}`);
  expect(services['temporal-ui']?.image).toBe(`temporalio/ui:${ui}`);
  expect(services['temporal-schema']?.image).toBe(`temporalio/admin-tools:${server}`);
  expect(services['temporal-namespace']?.image).toBe(`temporalio/admin-tools:${server}`);
  expect(readFileSync(COMPOSE, 'utf8')).not.toContain('auto-setup');

  // Start-up order: database → schema job (completed) → server (healthy) → namespace job (completed) → API and worker.
  expect(services['temporal-schema']?.depends_on).toEqual({ postgresql: expect.objectContaining({ condition: 'service_healthy' }) });
  expect(services.temporal?.depends_on).toEqual({ 'temporal-schema': expect.objectContaining({ condition: 'service_completed_successfully' }) });
  expect(services['temporal-namespace']?.depends_on).toEqual({ temporal: expect.objectContaining({ condition: 'service_healthy' }) });
  for (const app of ['api', 'worker']) {
    expect(services[app]?.depends_on?.['temporal-namespace']?.condition).toBe('service_completed_successfully');
  }

  // The jobs run the scripts in deploy/temporal, which are valid shell; the server reads the dynamic config there.
  for (const [job, script] of [
    ['temporal-schema', 'setup-schema.sh'],
    ['temporal-namespace', 'create-namespace.sh'],
  ] as const) {
    expect(services[job]?.command).toEqual([`/deploy/${script}`]);
    expect(services[job]?.volumes?.[0]).toMatchObject({ source: join(REPO_ROOT, 'deploy', 'temporal'), target: '/deploy', read_only: true });
    const syntax = spawnSync('sh', ['-n', join(REPO_ROOT, 'deploy', 'temporal', script)], { encoding: 'utf8' });
    expect(syntax.stderr).toBe('');
    expect(syntax.status).toBe(0);
  }
  const dynamic = services.temporal?.volumes?.find((v) => v.target === services.temporal?.environment?.DYNAMIC_CONFIG_FILE_PATH);
  expect(dynamic?.source).toBe(join(REPO_ROOT, 'deploy', 'temporal', 'dynamicconfig.yaml'));
  // Eager activity dispatch stays on even with an older TEMPORAL_VERSION (it is off by default before 1.32).
  expect(readFileSync(dynamic!.source, 'utf8')).toMatch(/^system\.enableActivityEagerExecution:\n {2}- value: true$/m);
});

test("the namespace job's script registers the namespace on a real Temporal server, and a second run changes nothing", async () => {
  // admin-tools carries the same Temporal CLI the tests run; the script finds it on PATH.
  const env = await startTemporal();
  try {
    const namespace = `compose-${process.pid}`;
    const run = () =>
      spawnSync('sh', [join(REPO_ROOT, 'deploy', 'temporal', 'create-namespace.sh')], {
        encoding: 'utf8',
        env: { PATH: `${dirname(temporalCliPath())}:${process.env.PATH}`, TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: namespace },
      });
    for (let i = 0; i < 2; i++) {
      const result = run();
      expect(result.stderr).toBe('');
      expect(result.stdout).toContain(`namespace: ${namespace} ready`);
      expect(result.status).toBe(0);
    }
    const described = await env.connection.workflowService.describeNamespace({ namespace });
    expect(described.config?.workflowExecutionRetentionTtl?.seconds?.toString()).toBe(String(7 * 24 * 3600));
  } finally {
    await env.teardown();
  }
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

test('the Dockerfile is multi-stage, installs production dependencies only, runs as a non-root user and caps malloc arenas', () => {
  const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
  const stages = dockerfile.split(/^FROM /m).slice(1);
  expect(stages.length).toBeGreaterThanOrEqual(2);
  const runtime = stages[stages.length - 1] as string;
  expect(runtime).toMatch(/npm ci --omit=dev/);
  expect(runtime).toMatch(/^USER node$/m);
  expect(runtime).toMatch(/COPY --from=build \/app\/dist/);
  expect(runtime).not.toMatch(/ts-node|npm ci --no-audit --no-fund\n/);
  // The worker's resident memory target holds with glibc's arenas capped (README, Benchmarks).
  expect(runtime).toMatch(/^\s*MALLOC_ARENA_MAX=2 \\$/m);
});
