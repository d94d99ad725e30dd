/**
 * MongoDB goes away and comes back (a FerretDB of this test's own, stopped and restarted on
 * the same port and data): the API answers 503 meanwhile and recovers by itself; an activity
 * that needs credentials retries until the database is back, and the diversion completes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { incidentStartedSignal, workspaceWorkflowId } from '../../workflows/messages';
import { ADMIN_TOKEN, startApi, type ApiBed } from '../support/api-bed';
import { NO_PROVIDER_WINDOWS, advertisements, useBed } from '../support/bed';
import { openTestDatabase } from '../support/database';
import { eventually } from '../support/eventually';
import { freePort, isListening } from '../support/net';
import { REPO_ROOT } from '../support/tools';

const bed = useBed();
let ferret: ChildProcess | undefined;
let api: ApiBed | undefined;
const dataDir = mkdtempSync(join(tmpdir(), 'ferret-outage-'));
let port = 0;

async function startFerret(): Promise<void> {
  ferret = spawn(
    join(REPO_ROOT, '.tools', 'ferretdb'),
    ['--handler=sqlite', `--sqlite-url=file:${dataDir}/`, `--listen-addr=127.0.0.1:${port}`, '--telemetry=disable', '--debug-addr=-', '--log-level=error', `--state-dir=${dataDir}`],
    {
      stdio: 'ignore',
    },
  );
  await eventually(() => isListening(port), Boolean, { what: 'FerretDB listening' });
}

async function stopFerret(): Promise<void> {
  const child = ferret;
  if (!child || child.exitCode !== null) return;
  await new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

afterAll(async () => {
  await api?.close();
  await api?.database.close(); // borrowed by the API bed, so closed here
  await stopFerret();
});

test('the API answers 503 while MongoDB is down and recovers by itself; activities retry until it is back', async () => {
  port = await freePort();
  await startFerret();
  api = await startApi(bed, { database: await openTestDatabase(`mongodb://127.0.0.1:${port}/outage`) });
  const hex = () => randomBytes(16).toString('hex');
  const cf = { accountId: hex(), prefixId: hex(), bgpPrefixId: hex(), token: `t-${hex()}` };
  bed.sim.cloudflare.seed({ ...cf, cidr: '192.0.2.0/24' });
  const owner = (await api.call('POST', '/v1/workspaces', { token: ADMIN_TOKEN, body: { id: 'outage', name: 'Outage', holdDownSeconds: 0 } })).body.ownerKey.key as string;
  const created = await api.call('POST', '/v1/workspaces/outage/integrations', {
    token: owner,
    body: { type: 'cloudflare', name: 'cf', ...NO_PROVIDER_WINDOWS, settings: { accountId: cf.accountId, prefixId: cf.prefixId, bgpPrefixId: cf.bgpPrefixId }, credentials: { apiToken: cf.token } },
  });
  expect(created.status).toBe(201);
  const advertised = () => bed.sim.cloudflare.bgpPrefix(cf.accountId, cf.prefixId, cf.bgpPrefixId)?.on_demand.advertised === true;

  await api.withWorker(async () => {
    expect((await api!.call('POST', '/v1/workspaces/outage/incidents', { token: owner, body: { id: 'first' } })).status).toBe(202);
    await eventually(advertised, Boolean, { what: 'diverted while the database is up' });
    await api!.call('POST', '/v1/workspaces/outage/incidents/first/resolve', { token: owner });
    await eventually(advertised, (v) => !v, { what: 'withdrawn' });

    await stopFerret();
    const during = await api!.call('GET', '/v1/workspaces/outage', { token: owner });
    expect(during).toMatchObject({ status: 503, body: { error: { code: 'database_unavailable' } } });
    // A detector that signals Temporal directly while MongoDB is down: the provider call cannot load
    // its credentials yet, so the activity retries.
    await bed.env.client.workflow.getHandle(workspaceWorkflowId('outage')).signal(incidentStartedSignal, { incidentId: 'during-outage' });
    const logLines = (globalThis as { __temporalLogLines?: string[] }).__temporalLogLines ?? [];
    await eventually(
      () => logLines.filter((line) => line.includes('Activity failed') && line.includes('cloudflare.advertise')).length,
      (n) => n > 0,
      { what: 'a provider call failing for want of the database' },
    );
    expect(advertised()).toBe(false);

    await startFerret();
    await eventually(
      async () => (await api!.call('GET', '/v1/workspaces/outage', { token: owner })).status,
      (s) => s === 200,
      {
        what: 'the API recovering by itself',
        timeoutMs: 60_000,
        intervalMs: 500,
      },
    );
    await eventually(advertised, Boolean, { what: 'diverted once the database is back', timeoutMs: 60_000 });
    // Every PATCH the provider saw, in order: divert, withdraw, divert (the one after the outage).
    expect(advertisements(bed, cf.bgpPrefixId)).toEqual([true, false, true]);
  });
}, 180_000);
