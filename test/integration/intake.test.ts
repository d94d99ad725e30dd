/**
 * An accepted incident is never lost (api/intake.ts): reports are kept in MongoDB before the
 * API answers. Temporal is stopped while incidents arrive (every report answered 202 queued,
 * the queue shown in /metrics), then restarted: every workspace diverts, once. A report
 * delivered twice changes nothing; a workspace's queue is bounded (429) without touching
 * another workspace's.
 */
import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_TOKEN, startApi, type ApiBed } from '../support/api-bed';
import { NO_PROVIDER_WINDOWS, useBed } from '../support/bed';
import { eventually } from '../support/eventually';
import { freePort } from '../support/net';
import { SEARCH_ATTRIBUTE_ARGS } from '../support/temporal';
import { temporalCliPath } from '../support/tools';

const bed = useBed();
const hex = () => randomBytes(16).toString('hex');

interface Tenant {
  ws: string;
  detector: string;
  viewer: string;
  cf: { accountId: string; prefixId: string; bgpPrefixId: string; token: string };
}

/** A workspace with one Cloudflare integration on its own simulated prefix, and its detector and viewer keys. */
async function tenant(api: ApiBed, ws: string): Promise<Tenant> {
  const cf = { accountId: hex(), prefixId: hex(), bgpPrefixId: hex(), token: `cf-secret-${hex()}` };
  bed.secrets.push(cf.token);
  bed.sim.cloudflare.seed({ ...cf, cidr: '192.0.2.0/24' });
  const owner = (await api.call('POST', '/v1/workspaces', { token: ADMIN_TOKEN, body: { id: ws, name: ws, holdDownSeconds: 0 } })).body.ownerKey.key;
  const key = async (role: string) => (await api.call('POST', `/v1/workspaces/${ws}/api-keys`, { token: owner, body: { name: role, role } })).body.key as string;
  const created = await api.call('POST', `/v1/workspaces/${ws}/integrations`, {
    token: owner,
    body: { type: 'cloudflare', name: 'Magic Transit', ...NO_PROVIDER_WINDOWS, settings: { accountId: cf.accountId, prefixId: cf.prefixId }, credentials: { apiToken: cf.token } },
  });
  expect(created.status).toBe(201);
  return { ws, detector: await key('detector'), viewer: await key('viewer'), cf };
}

const advertised = (t: Tenant) => bed.sim.cloudflare.bgpPrefix(t.cf.accountId, t.cf.prefixId, t.cf.bgpPrefixId)?.on_demand.advertised === true;
const advertisements = (t: Tenant) =>
  bed.sim.faults.requests.filter((r) => r.method === 'PATCH' && r.path.includes(t.cf.prefixId)).map((r) => (r.body as { on_demand: { advertised: boolean } }).on_demand.advertised);

test('Temporal stopped while incidents arrive, then restarted: every report was answered 202 and every workspace diverts, once', async () => {
  const port = await freePort();
  const dbFilename = join(mkdtempSync(join(tmpdir(), 'temporal-db-')), 'temporal.db');
  const server = () =>
    TestWorkflowEnvironment.createLocal({
      server: { executable: { type: 'existing-path', path: temporalCliPath() }, ip: '127.0.0.1', port, dbFilename, extraArgs: SEARCH_ATTRIBUTE_ARGS, log: { format: 'pretty', level: 'error' } },
    });
  let env = await server();
  const address = `127.0.0.1:${port}`;
  const connection = await Connection.connect({ address });
  const nativeConnection = await NativeConnection.connect({ address });
  const api = await startApi(bed, {
    temporal: { client: new Client({ connection }), connection, nativeConnection },
    // Short waits so the test is quick; the defaults are 2 s and 5 s.
    intake: { deliveryWaitMs: 500, idlePollMs: 500 },
    callTimeoutMs: 2_000,
  });
  try {
    const tenants = await Promise.all(['down-a', 'down-b', 'down-c', 'down-d'].map((ws) => tenant(api, ws)));
    await api.withWorker(async () => {
      await env.teardown(); // Temporal goes away; incidents keep arriving
      const answers = [];
      for (const t of tenants) {
        answers.push(await api.call('POST', `/v1/workspaces/${t.ws}/incidents`, { token: t.detector, body: { id: 'wave-1', target: '192.0.2.10' } }));
        answers.push(await api.call('POST', `/v1/workspaces/${t.ws}/incidents`, { token: t.detector, body: { id: 'wave-2', target: '192.0.2.11' } }));
      }
      // One workspace's short incident starts and ends while Temporal is away: in order, it stays resolved.
      answers.push(await api.call('POST', '/v1/workspaces/down-a/incidents', { token: tenants[0]!.detector, body: { id: 'blip' } }));
      answers.push(await api.call('POST', '/v1/workspaces/down-a/incidents/blip/resolve', { token: tenants[0]!.detector, body: {} }));
      expect(answers.map((a) => a.status)).toEqual(answers.map(() => 202));
      expect(answers.every((a) => a.body.delivery === 'queued')).toBe(true);
      expect(answers.at(-1)?.body.queuedReports).toBe(4);
      const metrics = (await api.call('GET', '/metrics')).body as string;
      expect(metrics).toMatch(/^scrubbing_intake_queued_reports 10$/m);
      expect(Number(/^scrubbing_intake_oldest_queued_seconds (\S+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);
      expect(tenants.some(advertised)).toBe(false);

      env = await server(); // back on the same port and database
      for (const t of tenants) {
        await eventually(
          () => advertised(t),
          (v) => v,
          { what: `${t.ws} diverted after the restart`, timeoutMs: 60_000 },
        );
      }
      for (const t of tenants) {
        const view = await eventually(
          () => api.call('GET', `/v1/workspaces/${t.ws}/scrubbing`, { token: t.viewer }),
          (a) => a.status === 200 && a.body.activeIncidentCount === 2 && a.body.intake.queuedReports === 0,
          { what: `${t.ws}: both incidents active, nothing queued` },
        );
        expect(view.body.activeIncidents.map((i: { incidentId: string }) => i.incidentId).sort()).toEqual(['wave-1', 'wave-2']);
        expect(advertisements(t)).toEqual([true]);
      }
      expect((await api.call('GET', '/metrics')).body).toMatch(/^scrubbing_intake_queued_reports 0$/m);
    });
  } finally {
    await api.close();
    await nativeConnection.close();
    await connection.close();
    await env.teardown();
  }
}, 180_000);

describe("on the bed's Temporal", () => {
  let api: ApiBed;
  beforeAll(async () => {
    api = await startApi(bed, { intake: { idlePollMs: 200, maxQueuedPerWorkspace: 3 } });
  });
  afterAll(() => api?.close());

  test('a report stored twice (delivered, then the API stopped before removing it) is delivered twice and changes nothing', async () => {
    const t = await tenant(api, 'twice');
    await api.withWorker(async () => {
      const payload = { incidentId: 'dup-1', target: '192.0.2.20' };
      // What the outbox holds after a crash between the signal and the removal: the same report again.
      const reports = api.database.connection.collection('incident_reports');
      await reports.insertMany([
        { workspace: 'twice', kind: 'started', payload, receivedAt: new Date(), attempts: 0, lastError: null },
        { workspace: 'twice', kind: 'started', payload, receivedAt: new Date(), attempts: 0, lastError: null },
      ]);
      await eventually(
        () => reports.countDocuments({ workspace: 'twice' }),
        (n) => n === 0,
        { what: 'both delivered' },
      );
      const view = await eventually(
        () => api.call('GET', '/v1/workspaces/twice/scrubbing', { token: t.viewer }),
        (a) => a.status === 200 && a.body.integrations[0]?.actual === 'active',
        { what: 'diverted' },
      );
      expect(view.body.activeIncidentCount).toBe(1);
      // Resolved, then the start delivered once more: the late duplicate is ignored.
      expect((await api.call('POST', '/v1/workspaces/twice/incidents/dup-1/resolve', { token: t.detector, body: {} })).body.delivery).toBe('delivered');
      await reports.insertOne({ workspace: 'twice', kind: 'started', payload, receivedAt: new Date(), attempts: 0, lastError: null });
      await eventually(
        () => reports.countDocuments({ workspace: 'twice' }),
        (n) => n === 0,
        { what: 'the duplicate delivered' },
      );
      await eventually(
        () => api.call('GET', '/v1/workspaces/twice/scrubbing', { token: t.viewer }),
        (a) => a.status === 200 && a.body.activeIncidentCount === 0 && a.body.integrations[0]?.actual === 'inactive',
        { what: 'withdrawn, the duplicate ignored' },
      );
      expect(advertisements(t)).toEqual([true, false]);
    });
  });

  test("a workspace's queue is bounded: 429 intake_queue_full beyond it, and another workspace is not affected", async () => {
    const full = await tenant(api, 'full');
    const other = await tenant(api, 'other');
    // An API process whose Temporal is unreachable: its reports wait in the shared database (the bed's API delivers them).
    const unreachable = Connection.lazy({ address: '127.0.0.1:1', connectTimeout: 500 });
    const down = await startApi(bed, {
      database: api.database,
      temporal: { client: new Client({ connection: unreachable }), connection: unreachable },
      intake: { maxQueuedPerWorkspace: 3, deliveryWaitMs: 200, idlePollMs: 60_000 },
      callTimeoutMs: 500,
    });
    try {
      const answers = [];
      for (const id of ['q1', 'q2', 'q3', 'q4']) answers.push(await down.call('POST', '/v1/workspaces/full/incidents', { token: full.detector, body: { id } }));
      expect(answers.slice(0, 3).map((a) => [a.status, a.body.delivery])).toEqual([
        [202, 'queued'],
        [202, 'queued'],
        [202, 'queued'],
      ]);
      expect(answers[3]).toMatchObject({ status: 429, body: { error: { code: 'intake_queue_full', details: [{ field: 'workspace' }] } } });
      expect(answers[3]?.headers.get('retry-after')).toBeTruthy();
      const elsewhere = await down.call('POST', '/v1/workspaces/other/incidents', { token: other.detector, body: { id: 'o1' } });
      expect(elsewhere).toMatchObject({ status: 202, body: { delivery: 'queued' } });
    } finally {
      await down.close();
      await unreachable.close();
    }
    // The bed's API delivers what was kept, once a worker runs.
    await api.withWorker(async () => {
      for (const t of [full, other])
        await eventually(
          () => advertised(t),
          (v) => v,
          { what: `${t.ws} diverted` },
        );
      const view = await eventually(
        () => api.call('GET', '/v1/workspaces/full/scrubbing', { token: full.viewer }),
        (a) => a.status === 200 && a.body.activeIncidentCount === 3 && a.body.intake.queuedReports === 0,
        { what: 'the three kept reports applied' },
      );
      expect(view.body.activeIncidents.map((i: { incidentId: string }) => i.incidentId)).toEqual(['q1', 'q2', 'q3']);
    });
  });
});
