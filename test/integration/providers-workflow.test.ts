/**
 * The workspace workflow with the real adapters of all three providers against the
 * simulator, on a real Temporal server: an attack diverts at all three; a provider
 * answering 503 for a while still ends diverted; a 401 ends `failed` after one call
 * while the others divert.
 */
import {
  actualOf,
  advertisedAtSimulator,
  cloudflareIntegration,
  hetznerIntegration,
  ovhIntegration,
  startIncident,
  storeOf,
  uniqueId,
  useBed,
  waitForState,
  withWorker,
  workspaceInput,
} from '../support/bed';
import { eventually } from '../support/eventually';
import { incidentResolvedSignal } from '../../workflows/messages';

const bed = useBed();

const allActive = (ids: string[]) => (v: Parameters<typeof actualOf>[0]) => ids.every((id) => actualOf(v, id) === 'active');

test('an attack diverts at Cloudflare, OVH and Hetzner; the resolve withdraws all three', async () => {
  const ws = uniqueId('ws');
  const taskQueue = uniqueId('tq');
  const cf = cloudflareIntegration(bed, ws);
  const ovh = ovhIntegration(bed, ws);
  const hz = hetznerIntegration(bed, ws);
  const ids = [cf.config.id, ovh.config.id, hz.config.id];
  await withWorker(bed, taskQueue, storeOf(cf, ovh, hz), async () => {
    const handle = await startIncident(bed, taskQueue, workspaceInput(ws, [cf.config, ovh.config, hz.config]), { incidentId: 'i1' });
    await waitForState(handle, allActive(ids), 'all three diverted');
    expect([advertisedAtSimulator(bed, cf), ovh.firewallEnabled(), hz.firewallActive()]).toEqual([true, true, true]);

    await handle.signal(incidentResolvedSignal, { incidentId: 'i1' });
    await waitForState(handle, (v) => ids.every((id) => actualOf(v, id) === 'inactive'), 'all three withdrawn');
    expect([advertisedAtSimulator(bed, cf), ovh.firewallEnabled(), hz.firewallActive()]).toEqual([false, false, false]);
    // Hetzner's rules survived both full-replace POSTs.
    expect(bed.sim.hetzner.servers.get(hz.serverNumber)!.firewall.rules.input).toHaveLength(1);
  });
});

test('a provider answering 503 for a while still ends diverted', async () => {
  const ws = uniqueId('ws');
  const taskQueue = uniqueId('tq');
  const ovh = ovhIntegration(bed, ws);
  bed.sim.faults.add({ provider: 'ovh', pathIncludes: ovh.ip, status: 503, times: 2, body: { message: 'maintenance' } });
  await withWorker(bed, taskQueue, storeOf(ovh), async () => {
    const handle = await startIncident(bed, taskQueue, workspaceInput(ws, [ovh.config]), { incidentId: 'i1' });
    const view = await waitForState(handle, (v) => actualOf(v, ovh.config.id) === 'active', 'diverted after the outage');
    expect(view.integrations[0]?.attempts).toBe(3);
    expect(ovh.firewallEnabled()).toBe(true);
  });
});

test('a Hetzner 401 is retried after a minute, within the login budget, without a retry storm, while the others divert', async () => {
  const ws = uniqueId('ws');
  const taskQueue = uniqueId('tq');
  const cf = cloudflareIntegration(bed, ws);
  const ovh = ovhIntegration(bed, ws);
  const hz = hetznerIntegration(bed, ws, { password: 'wrong-password' });
  await withWorker(bed, taskQueue, storeOf(cf, ovh, hz), async () => {
    const handle = await startIncident(bed, taskQueue, workspaceInput(ws, [cf.config, ovh.config, hz.config]), { incidentId: 'i1' });
    await waitForState(handle, (v) => allActive([cf.config.id, ovh.config.id])(v) && actualOf(v, hz.config.id) === 'activating', 'two diverted, Hetzner retrying');
    // Robot says the same for a wrong password and a locked-out address: the activation is retried by itself, a minute later.
    const pending = await eventually(
      async () => (await handle.describe()).raw.pendingActivities?.find((a) => a.activityType?.name === 'hetzner.activateFirewall'),
      (a) => a?.lastFailure !== undefined && a?.lastFailure !== null,
      { what: 'the Hetzner activation waiting for its retry' },
    );
    expect(pending?.lastFailure?.message).toMatch(/credentials rejected, or this address is locked out/);
    const hetznerCalls = bed.sim.faults.requests.filter((r) => r.provider === 'hetzner' && r.path === `/firewall/${hz.serverNumber}`);
    expect(hetznerCalls).toHaveLength(1);
  });
});
