/**
 * A run that ends unexpectedly forgets nothing (store/incidents.ts, the workflow's recovery):
 * the workspace's run is terminated in the middle of an attack; the next run, started by the
 * next report, knows every incident still active from the incident record, so resolving the
 * new incident does not withdraw. When the attack ended while no run was there, the next run
 * reads the provider, finds the diversion, and withdraws it after the hold-down. A manual
 * Activate outlives its run (store/manual-holds.ts): the next run holds the integration
 * diverted until an operator withdraws it.
 */
import { randomBytes } from 'node:crypto';
import { ADMIN_TOKEN, startApi, type ApiBed } from '../support/api-bed';
import { NO_PROVIDER_WINDOWS, useBed } from '../support/bed';
import { eventually } from '../support/eventually';
import { workspaceWorkflowId } from '../../workflows/messages';

const bed = useBed();
let api: ApiBed;
beforeAll(async () => {
  api = await startApi(bed);
});
afterAll(() => api?.close());

const hex = () => randomBytes(16).toString('hex');

async function tenant(ws: string) {
  const cf = { accountId: hex(), prefixId: hex(), bgpPrefixId: hex(), token: `cf-secret-${hex()}` };
  bed.secrets.push(cf.token);
  bed.sim.cloudflare.seed({ ...cf, cidr: '192.0.2.0/24' });
  const owner = (await api.call('POST', '/v1/workspaces', { token: ADMIN_TOKEN, body: { id: ws, name: ws, holdDownSeconds: 1 } })).body.ownerKey.key as string;
  const created = await api.call('POST', `/v1/workspaces/${ws}/integrations`, {
    token: owner,
    body: { type: 'cloudflare', name: 'Magic Transit', ...NO_PROVIDER_WINDOWS, settings: { accountId: cf.accountId, prefixId: cf.prefixId }, credentials: { apiToken: cf.token } },
  });
  expect(created.status).toBe(201);
  const integrationId = created.body.id as string;
  const manual = (action: 'activate' | 'withdraw') => api.call('POST', `/v1/workspaces/${ws}/integrations/${integrationId}/${action}`, { token: owner, body: {} });
  const advertised = () => bed.sim.cloudflare.bgpPrefix(cf.accountId, cf.prefixId, cf.bgpPrefixId)?.on_demand.advertised === true;
  const report = (id: string) => api.call('POST', `/v1/workspaces/${ws}/incidents`, { token: owner, body: { id, target: '192.0.2.7' } });
  const resolve = (id: string) => api.call('POST', `/v1/workspaces/${ws}/incidents/${id}/resolve`, { token: owner, body: {} });
  const state = async () => (await api.call('GET', `/v1/workspaces/${ws}/scrubbing`, { token: owner })).body;
  const terminate = async () => {
    const handle = bed.env.client.workflow.getHandle(workspaceWorkflowId(ws));
    await handle.terminate('test: the run ends unexpectedly');
    await eventually(
      () => handle.describe(),
      (d) => d.status.name === 'TERMINATED',
      { what: 'terminated' },
    );
  };
  return { owner, integrationId, advertised, report, resolve, state, terminate, manual };
}

test('after a terminated run, the next run knows the incident still active: resolving the new one does not withdraw', async () => {
  const t = await tenant('rec-a');
  await api.withWorker(async () => {
    expect((await t.report('old')).status).toBe(202);
    await eventually(
      () => t.advertised(),
      (v) => v,
      { what: 'diverted' },
    );
    await t.terminate();

    expect((await t.report('new')).status).toBe(202); // starts a new run
    const both = await eventually(t.state, (v) => v.running && v.activeIncidentCount === 2, { what: 'the new run knows both incidents' });
    expect(both.activeIncidents.map((i: { incidentId: string }) => i.incidentId).sort()).toEqual(['new', 'old']);

    expect((await t.resolve('new')).status).toBe(202);
    const still = await eventually(t.state, (v) => v.activeIncidentCount === 1, { what: 'the new incident resolved' });
    // Still triggered by the recovered incident: diverted, no hold-down running toward a withdrawal.
    expect(still.activeIncidents[0].incidentId).toBe('old');
    expect(still.integrations[0]).toMatchObject({ desired: 'active', actual: 'active' });
    expect(still.pendingHoldDowns).toEqual([]);
    expect(t.advertised()).toBe(true);

    expect((await t.resolve('old')).status).toBe(202);
    await eventually(
      () => t.advertised(),
      (v) => !v,
      { what: 'withdrawn once the last incident resolved' },
    );
  });
});

test('an attack that ended while no run was there: the next run reads the provider, keeps the diversion it finds as its own, and withdraws it after the hold-down', async () => {
  const t = await tenant('rec-b');
  await api.withWorker(async () => {
    expect((await t.report('x')).status).toBe(202);
    await eventually(
      () => t.advertised(),
      (v) => v,
      { what: 'diverted' },
    );
    await t.terminate();
    expect((await t.resolve('x')).status).toBe(202); // the resolve starts a new run, which has no incident
    await eventually(
      () => t.advertised(),
      (v) => !v,
      { what: 'withdrawn by the new run' },
    );
    await eventually(
      async () => ((await api.call('GET', '/v1/workspaces/rec-b/events', { token: t.owner })).body.events as { action: string }[]).map((e) => e.action),
      (actions) => actions.includes('divert.adopted') && actions.includes('withdraw'),
      { what: 'the adoption and the withdrawal in the audit trail' },
    );
  });
});

test('a manual Activate outlives a terminated run: the next run holds the integration diverted through an attack that comes and goes, until an operator withdraws it', async () => {
  const t = await tenant('rec-c');
  const actions = async () => ((await api.call('GET', '/v1/workspaces/rec-c/events', { token: t.owner })).body.events as { action: string }[]).map((e) => e.action);
  /** The run took the resolve of `id` and settled: no incident, no hold-down running, nothing in flight. */
  const settled = (v: { running: boolean; activeIncidentCount: number; pendingHoldDowns: unknown[]; integrations: { actual: string }[] }) =>
    v.running && v.activeIncidentCount === 0 && v.pendingHoldDowns.length === 0 && ['active', 'inactive'].includes(v.integrations[0]!.actual);
  await api.withWorker(async () => {
    expect((await t.manual('activate')).status).toBe(200);
    expect(t.advertised()).toBe(true);
    await t.terminate();

    // A new run (started by the report) restores the manual Activate: the attack's end withdraws nothing.
    expect((await t.report('y')).status).toBe(202);
    await eventually(t.state, (v) => v.running && v.activeIncidentCount === 1, { what: 'the new run has the incident' });
    expect((await t.resolve('y')).status).toBe(202);
    const held = await eventually(t.state, (v) => settled(v) && v.integrations[0].desired === 'active', { what: 'the new run holds the integration after the resolve' });
    expect(held.integrations[0]).toMatchObject({ manual: 'activate', desired: 'active', actual: 'active' });
    expect(t.advertised()).toBe(true);
    await eventually(actions, (list) => list.includes('manual.restored'), { what: 'the restored Activate in the audit trail' });

    // A manual Withdraw ends the hold, for the runs after this one too.
    expect((await t.manual('withdraw')).status).toBe(200);
    expect(t.advertised()).toBe(false);
    await t.terminate();
    expect((await t.report('z')).status).toBe(202);
    await eventually(
      () => t.advertised(),
      (v) => v,
      { what: 'the new attack diverts' },
    );
    expect((await t.resolve('z')).status).toBe(202);
    await eventually(
      () => t.advertised(),
      (v) => !v,
      { what: 'withdrawn after the hold-down: nothing holds it' },
    );
    expect((await t.state()).integrations[0]).toMatchObject({ manual: null, desired: 'inactive' });

    // Its manual action goes with the integration.
    const holds = () => api.database.models.ManualHold.countDocuments({ workspace: 'rec-c' });
    expect(await holds()).toBe(1);
    expect((await api.call('DELETE', `/v1/workspaces/rec-c/integrations/${t.integrationId}`, { token: t.owner })).status).toBeLessThan(300);
    expect(await holds()).toBe(0);
  });
});
