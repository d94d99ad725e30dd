/**
 * The attack path does only what it must (issue P, item 2): a workspace's first integration
 * starts its workflow, so the first attack finds it running; a valid key is remembered, and a
 * revoked one stops working at once in the process that revoked it and, through the revocation feed
 * (API_CHANGE_POLL_MS), within seconds in another, though keys are remembered for minutes. The waits
 * are bounded well below what the caches remember (5 minutes), so only the feed can pass them; no
 * assertion times the feed itself (a loaded box takes longer, and performance is the bench's).
 */
import { ADMIN_TOKEN, startApi, type ApiBed } from '../support/api-bed';
import { NO_PROVIDER_WINDOWS, useBed } from '../support/bed';
import { eventually } from '../support/eventually';
import { workspaceWorkflowId } from '../../workflows/messages';
import { workspaceRepository } from '../../store/workspaces';

const bed = useBed();
let a: ApiBed;
let b: ApiBed;
beforeAll(async () => {
  a = await startApi(bed, { keyCacheMs: 300_000, changePollMs: 500 });
  // A second API process on the same database (a load-balanced pair).
  b = await startApi(bed, { database: a.database, keyCacheMs: 300_000, changePollMs: 500 });
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

test("a workspace's first integration starts its workflow: the state is running before any attack, and the first attack diverts", async () => {
  const owner = (await a.call('POST', '/v1/workspaces', { token: ADMIN_TOKEN, body: { id: 'early', name: 'Early', holdDownSeconds: 0 } })).body.ownerKey.key as string;
  const handle = bed.env.client.workflow.getHandle(workspaceWorkflowId('early'));
  await expect(handle.describe()).rejects.toMatchObject({ name: 'WorkflowNotFoundError' }); // no integration, no workflow
  const cf = { accountId: 'e'.repeat(32), prefixId: 'f'.repeat(32), bgpPrefixId: '1'.repeat(32), token: 'early-cf-token' };
  bed.secrets.push(cf.token);
  bed.sim.cloudflare.seed({ ...cf, cidr: '192.0.2.0/24' });
  const created = await a.call('POST', '/v1/workspaces/early/integrations', {
    token: owner,
    body: { type: 'cloudflare', name: 'cf', ...NO_PROVIDER_WINDOWS, settings: { accountId: cf.accountId, prefixId: cf.prefixId }, credentials: { apiToken: cf.token } },
  });
  expect(created.status).toBe(201);
  expect((await handle.describe()).status.name).toBe('RUNNING');
  await a.withWorker(async () => {
    const idle = await a.call('GET', '/v1/workspaces/early/scrubbing', { token: owner });
    expect(idle.body).toMatchObject({ running: true, activeIncidentCount: 0, configVersion: 2 });
    const attack = await a.call('POST', '/v1/workspaces/early/incidents', { token: owner, body: { id: 'first' } });
    expect(attack.body.delivery).toBe('delivered');
    await eventually(
      () => bed.sim.cloudflare.bgpPrefix(cf.accountId, cf.prefixId, cf.bgpPrefixId)?.on_demand.advertised,
      (v) => v === true,
      { what: 'diverted' },
    );
  });
  // One run from the integration's creation on: the attack signalled it, it did not start another.
  const runs = [];
  for await (const run of bed.env.client.workflow.list({ query: `WorkflowId = '${workspaceWorkflowId('early')}'` })) runs.push(run.runId);
  expect(runs).toHaveLength(1);
});

test('a revoked key stops working at once in the API process that revoked it, and within seconds (its revocation feed) in another, though keys are remembered for minutes', async () => {
  const owner = (await a.call('POST', '/v1/workspaces', { token: ADMIN_TOKEN, body: { id: 'keys', name: 'Keys' } })).body.ownerKey.key as string;
  const here = await a.call('POST', '/v1/workspaces/keys/api-keys', { token: owner, body: { name: 'here', role: 'viewer' } });
  const there = await a.call('POST', '/v1/workspaces/keys/api-keys', { token: owner, body: { name: 'there', role: 'viewer' } });
  for (const api of [a, b]) {
    for (const key of [here, there]) expect((await api.call('GET', '/v1/workspaces/keys', { token: key.body.key })).status).toBe(200);
  }
  // Revoked through A: A refuses it on the next request.
  expect((await a.call('DELETE', `/v1/workspaces/keys/api-keys/${here.body.id}`, { token: owner })).status).toBe(204);
  expect((await a.call('GET', '/v1/workspaces/keys', { token: here.body.key })).status).toBe(401);
  // B remembers keys for five minutes: refused once its revocation feed (every 0.5 s here, 2 s by default) has read it.
  await eventually(
    () => b.call('GET', '/v1/workspaces/keys', { token: here.body.key }).then((r) => r.status),
    (s) => s === 401,
    { what: 'refused by the other process', timeoutMs: 20_000, intervalMs: 200 },
  );
  // Revoked through B: B refuses it at once.
  expect((await b.call('DELETE', `/v1/workspaces/keys/api-keys/${there.body.id}`, { token: owner })).status).toBe(204);
  expect((await b.call('GET', '/v1/workspaces/keys', { token: there.body.key })).status).toBe(401);
});

test('a report is one signal: a configuration version its API process has not announced rides on it, and the workflow reads that version', async () => {
  const owner = (await a.call('POST', '/v1/workspaces', { token: ADMIN_TOKEN, body: { id: 'announce', name: 'Announce', holdDownSeconds: 0 } })).body.ownerKey.key as string;
  const cf = { accountId: 'a'.repeat(32), prefixId: 'b'.repeat(32), bgpPrefixId: 'c'.repeat(32), token: 'announce-cf-token' };
  bed.secrets.push(cf.token);
  bed.sim.cloudflare.seed({ ...cf, cidr: '198.51.100.0/24' });
  const body = { type: 'cloudflare', name: 'cf', ...NO_PROVIDER_WINDOWS, settings: { accountId: cf.accountId, prefixId: cf.prefixId }, credentials: { apiToken: cf.token } };
  expect((await a.call('POST', '/v1/workspaces/announce/integrations', { token: owner, body })).status).toBe(201);
  // A change whose announcement was lost (its API process died before signalling): the database has version 3, the workflow 2.
  await workspaceRepository(a.database.models).bumpConfigVersion('announce');
  // C, an API process started after the change, has announced nothing and reads version 3 (B may still remember
  // version 2 for a poll or two: its feed brings the change, which the second half of this test shows).
  const c = await startApi(bed, { database: a.database, keyCacheMs: 300_000, changePollMs: 500 });
  try {
    const handle = bed.env.client.workflow.getHandle(workspaceWorkflowId('announce'));
    const before = (await handle.fetchHistory()).events?.length ?? 0;
    await a.withWorker(async () => {
      // Sent through C, which has announced nothing: its report carries the version, and the workflow reads it.
      expect((await c.call('POST', '/v1/workspaces/announce/incidents', { token: owner, body: { id: 'x' } })).body.delivery).toBe('delivered');
      const state = await eventually(
        () => c.call('GET', '/v1/workspaces/announce/scrubbing', { token: owner }),
        (r) => r.body.configVersion === 3 && r.body.integrations?.[0]?.actual === 'active',
        { what: 'version 3 read and diverted' },
      );
      // The version is not part of the incident.
      expect(state.body.activeIncidents).toEqual([expect.not.objectContaining({ configVersion: expect.anything() })]);
      expect(state.body.activeIncidents[0].incidentId).toBe('x');
    });
    const signals = ((await handle.fetchHistory()).events ?? []).slice(before).flatMap((e) => (e.workflowExecutionSignaledEventAttributes ? [e.workflowExecutionSignaledEventAttributes] : []));
    const payloads = signals.map((s) => ({ name: s.signalName, arg: s.input?.payloads?.[0]?.data ? JSON.parse(Buffer.from(s.input.payloads[0].data).toString()) : undefined }));
    expect(payloads).toEqual([{ name: 'incidentStarted', arg: expect.objectContaining({ incidentId: 'x', configVersion: 3 }) }]);

    // C remembers version 3 now (for five minutes, read again in full every two and a half). Another lost
    // announcement (version 4): C's change feed (every 0.5 s here) brings it, and C's next report carries it,
    // though C read no version for the report.
    await workspaceRepository(a.database.models).bumpConfigVersion('announce');
    const from = (await handle.fetchHistory()).events?.length ?? 0;
    await eventually(
      async () => {
        await c.call('POST', '/v1/workspaces/announce/incidents/unrelated/resolve', { token: owner });
        return ((await handle.fetchHistory()).events ?? []).slice(from).some((e) => {
          const data = e.workflowExecutionSignaledEventAttributes?.input?.payloads?.[0]?.data;
          return data !== undefined && data !== null && (JSON.parse(Buffer.from(data).toString()) as { configVersion?: number }).configVersion === 4;
        });
      },
      (carried) => carried,
      { what: 'a report through C carrying version 4', timeoutMs: 20_000, intervalMs: 100 },
    );
  } finally {
    await c.close();
  }
});
