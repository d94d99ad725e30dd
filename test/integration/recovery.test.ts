/**
 * A run that ends unexpectedly forgets nothing (store/incidents.ts, the workflow's recovery):
 * the workspace's run is terminated in the middle of an attack; the next run, started by the
 * next report, knows every incident still active from the incident record, so resolving the
 * new incident does not withdraw. When the attack ended while no run was there, the next run
 * reads the provider, finds the diversion, and withdraws it after the hold-down.
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
  return { owner, advertised, report, resolve, state, terminate };
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
