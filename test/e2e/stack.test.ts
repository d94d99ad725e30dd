/**
 * The stack as an operator runs it: `npm run dev` (scripts/dev.sh) on free ports with its
 * own data directory, `npm run demo` against it, the Temporal UI in headless Chromium
 * (Debian's chromium, driven by playwright-core) finding the demo workflow and showing its
 * history, the console it prints signing in with the demo key, and Ctrl-C leaving no process behind. Screenshots go to screenshots/ (git-ignored).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { freePort, isListening } from '../support/net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { REPO_ROOT } from '../support/tools';
import { recordEvidence, recordSecrets } from '../support/secret-scan';
import { everyHistoryText } from '../support/temporal';
import { Client, Connection } from '@temporalio/client';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** The simulated credentials scripts/dev.sh gives the demo workspace. */
const DEV_CREDENTIALS = ['simulated-token', 'demo-as', 'demo-ck', 'demo-password', 'demo-gcore-key'];
const SCREENSHOTS = join(REPO_ROOT, 'screenshots');
let ports: Record<string, number>;
let env: NodeJS.ProcessEnv;
let stack: ChildProcess;
let workspace = '';
/** What the dev stack printed on its standard output (its banner included). */
let banner = '';

function run(command: string, args: string[], timeoutMs: number, extraEnv: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (d: Buffer) => {
      output += d.toString();
      recordEvidence('log-line', d.toString());
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: scripts/setup.sh installs Debian's chromium (or set CHROMIUM_PATH)`);
  ports = {
    TEMPORAL_PORT: await freePort(),
    TEMPORAL_UI_PORT: await freePort(),
    SIMULATOR_PORT: await freePort(),
    FERRETDB_PORT: await freePort(),
    API_PORT: await freePort(),
    WORKER_METRICS_PORT: await freePort(),
    TEMPORAL_METRICS_PORT: await freePort(),
  };
  env = { ...process.env, ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])), DEV_DATA_DIR: mkdtempSync(join(tmpdir(), 'scrubbing-dev-')) };
  delete env.MONGO_URL;
  stack = spawn('bash', ['scripts/dev.sh'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the dev stack did not come up in 180 s:\n${output}`)), 180_000);
    const watch = (d: Buffer) => {
      output += d.toString();
      banner = output;
      if (output.includes('dev stack is up')) {
        clearTimeout(timer);
        resolve();
      }
    };
    stack.stdout?.on('data', watch);
    stack.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    // Everything the stack's services print, for the secret scans.
    stack.stdout?.on('data', (d: Buffer) => recordEvidence('log-line', d.toString()));
    stack.stderr?.on('data', (d: Buffer) => recordEvidence('log-line', d.toString()));
    stack.on('exit', (code) => reject(new Error(`the dev stack exited (${code}):\n${output}`)));
  });
}, 200_000);

afterAll(async () => {
  if (stack && stack.exitCode === null) {
    stack.kill('SIGINT');
    await new Promise((resolve) => stack.once('exit', resolve));
  }
});

test('npm run demo drives a two-wave attack through all four providers', async () => {
  // The OVH address and Gcore client the dev stack seeds for its own demo workspace (scripts/dev.sh): the demo
  // seeds them again in its own block and key, and must watch its own (it once timed out watching the stack's).
  const { code, output } = await run('node', ['-r', 'ts-node/register/transpile-only', 'scripts/demo.ts'], 150_000, { DEMO_OVH_IP: '203.0.113.7', DEMO_GCORE_CLIENT_ID: '4242' });
  // Jest's diff of an object shows only the differing field, so a failed demo's own words go in the message.
  if (code !== 0) throw new Error(`npm run demo exited ${code}:\n${output}`);
  expect(output).toContain('one diversion for two waves');
  workspace = /DEMO OK (\S+)/.exec(output)?.[1] ?? '';
  expect(workspace).toMatch(/^demo-/);
}, 160_000);

test('after the demo attack, metrics show the diversion: API requests, provider calls, divert latency, Temporal SDK metrics', async () => {
  const scrape = async (port: number, path = '/metrics') => (await fetch(`http://127.0.0.1:${port}${path}`)).text();
  const api = await scrape(ports.API_PORT!);
  expect(api).toMatch(/scrubbing_api_requests_total\{method="POST",route="\/v1\/workspaces\/:ws\/incidents",status="202"\} [1-9]/);
  const worker = await scrape(ports.WORKER_METRICS_PORT!);
  for (const provider of ['cloudflare', 'ovh', 'hetzner', 'gcore']) {
    expect(worker).toMatch(new RegExp(`scrubbing_provider_calls_total\\{provider="${provider}",operation="activate",outcome="ok"\\} [1-9]`));
    expect(worker).toMatch(new RegExp(`scrubbing_divert_latency_seconds_count\\{provider="${provider}"\\} [1-9]`));
  }
  expect(worker).toMatch(new RegExp(`scrubbing_active_diversions\\{workspace="${workspace}"\\} 0`)); // withdrawn at the end of the demo
  expect(await scrape(ports.TEMPORAL_METRICS_PORT!)).toContain('temporal_workflow_task_execution_latency');
});

test('the Temporal UI lists the demo workflow by workspace and shows its history', async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const ui = `http://127.0.0.1:${ports.TEMPORAL_UI_PORT}/namespaces/default/workflows`;
    await page.goto(`${ui}?query=${encodeURIComponent(`WorkspaceId="${workspace}" AND ScrubbingState="idle"`)}`);
    await page.getByText(`scrubbing-${workspace}`).first().waitFor({ timeout: 30_000 });
    expect(await page.getByText('1 Workflow').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(SCREENSHOTS, 'temporal-ui-list.png') });

    await page.goto(`${ui}/scrubbing-${workspace}`);
    // The timeline names the provider activities, the hold-down timer and the detector's signals.
    for (const text of ['workspaceScrubbing', 'cloudflare.withdraw', 'ovh.disableFirewall', 'hetzner.disableFirewall', 'hold-down']) {
      await page.getByText(text).first().waitFor({ timeout: 30_000 });
    }
    expect(await page.getByText('incidentStarted').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(SCREENSHOTS, 'temporal-ui-workflow.png') });
  } finally {
    await browser.close();
  }
}, 90_000);

test('the console the dev stack prints signs in with the demo owner key and shows the demo workspace', async () => {
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const refused: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) refused.push(message.text());
    });
    const url = `http://127.0.0.1:${ports.API_PORT}/console/`;
    expect(banner).toContain(url); // `npm run dev` prints the console's URL
    await page.goto(url);
    await page.getByTestId('signin-key').fill(readFileSync(join(env.DEV_DATA_DIR!, 'demo-owner-key'), 'utf8').trim());
    await page.getByTestId('signin-submit').click();
    await page.getByTestId('role').waitFor();
    // The demo workspace's four integrations, each with its controls for an owner.
    await page.locator('[data-testid^="integration-"]').nth(3).waitFor({ timeout: 30_000 });
    expect(await page.locator('button[data-testid^="withdraw-"]').count()).toBe(4);
    expect(refused).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'console-dev-stack.png') });
  } finally {
    await browser.close();
  }
}, 60_000);

test('no credential of the dev stack appears in its output or in any workflow history on its Temporal', async () => {
  recordSecrets(...DEV_CREDENTIALS);
  const connection = await Connection.connect({ address: `127.0.0.1:${ports.TEMPORAL_PORT}` });
  try {
    const histories = await everyHistoryText(new Client({ connection }));
    recordEvidence('workflow-history', ...histories);
    expect(histories.length).toBeGreaterThanOrEqual(1); // the demo run's workspace
    expect(DEV_CREDENTIALS.filter((secret) => histories.some((h) => h.includes(secret)))).toEqual([]);
  } finally {
    await connection.close();
  }
}, 60_000);

test('Ctrl-C stops every service of the dev stack', async () => {
  stack.kill('SIGINT');
  const code = await new Promise((resolve) => stack.once('exit', resolve));
  expect(code).not.toBeNull();
  for (const [name, port] of Object.entries(ports)) {
    expect({ name, listening: await isListening(port) }).toEqual({ name, listening: false });
  }
}, 30_000);
