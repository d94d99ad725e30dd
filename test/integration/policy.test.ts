/**
 * Provider policy end to end on a real Temporal server, the real adapters and the provider
 * simulator: drift found by reconciliation (repaired, or only reported), dry run, the
 * provider's re-activation window, and flap damping as the `state` query shows it.
 */
import type { WorkspacePolicy } from '../../workflows/policy';
import type { IntegrationConfig, WorkspaceWorkflowInput } from '../../workflows/messages';
import {
  MemoryAuditSink,
  actualOf,
  advertisedAtSimulator,
  advertisements,
  cloudflareIntegration,
  startIncident,
  storeOf,
  uniqueId,
  useBed,
  waitForState,
  withWorker,
  workspaceInput,
} from '../support/bed';
import { incidentResolvedSignal, incidentStartedSignal } from '../../workflows/messages';

const bed = useBed();

function input(ws: string, integrations: IntegrationConfig[], policy: Partial<WorkspacePolicy>, holdDownSeconds = 0): WorkspaceWorkflowInput {
  const base = workspaceInput(ws, integrations, { holdDownSeconds });
  return { ...base, config: { ...base.config, policy } };
}

const settings = (a: ReturnType<typeof cloudflareIntegration>) => a.stored.settings as { accountId: string; prefixId: string };
const integrationOf = <T extends { id: string }>(view: { integrations: T[] }, id: string): T => view.integrations.find((i) => i.id === id)!;

test('a prefix withdrawn behind our back is found by the next reconciliation and advertised again', async () => {
  const ws = uniqueId('ws');
  const taskQueue = uniqueId('tq');
  const a = cloudflareIntegration(bed, ws);
  const audit = new MemoryAuditSink();
  const interval = 3;
  await withWorker(
    bed,
    taskQueue,
    storeOf(a),
    async () => {
      const handle = await startIncident(bed, taskQueue, input(ws, [a.config], { reconcileActiveSeconds: interval }), { incidentId: 'i1' });
      await waitForState(handle, (v) => actualOf(v, a.config.id) === 'active', 'diverted');
      // A status read that agrees is recorded, and no drift: pending, as Cloudflare takes minutes to advertise.
      const agreed = await waitForState(handle, (v) => integrationOf(v, a.config.id).provider != null, 'first status read');
      expect(integrationOf(agreed, a.config.id).provider).toMatchObject({ observed: 'pending', detail: 'prefix 192.0.2.0/24 advertised' });
      expect(integrationOf(agreed, a.config.id).drift).toBeNull();
      const scheduled = Date.parse(agreed.nextReconcileAt!);

      // Someone withdraws the prefix in the provider's dashboard.
      bed.sim.cloudflare.setAdvertised(settings(a).accountId, settings(a).prefixId, a.bgpPrefixId, false);
      const flippedAt = Date.now();
      const repaired = await waitForState(handle, (v) => integrationOf(v, a.config.id).drift?.count === 1 && actualOf(v, a.config.id) === 'active', 'drift repaired');
      const drift = integrationOf(repaired, a.config.id).drift!;
      expect(drift).toMatchObject({ expected: 'diverted', observed: 'not_diverted', action: 'repaired', open: false });
      // Found by the read scheduled when the prefix was flipped (or the one after it, if that read had already begun).
      expect(Date.parse(drift.detectedAt)).toBeGreaterThanOrEqual(Math.min(scheduled, flippedAt));
      expect(Date.parse(drift.detectedAt)).toBeLessThan(Math.max(scheduled, flippedAt) + 2 * interval * 1000);
      expect(advertisedAtSimulator(bed, a)).toBe(true);
      expect(advertisements(bed, a.bgpPrefixId)).toEqual([true, true]); // ours, then the repair
    },
    audit,
  );
  expect(audit.entries.filter((e) => e.action === 'drift')).toEqual([expect.objectContaining({ integration: a.config.id, detail: expect.stringContaining('re-applying our state') as string })]);
});

test('report-only: the drift is reported once and left as found', async () => {
  const ws = uniqueId('ws');
  const taskQueue = uniqueId('tq');
  const a = cloudflareIntegration(bed, ws);
  const config: IntegrationConfig = { ...a.config, onDrift: 'report' };
  const audit = new MemoryAuditSink();
  await withWorker(
    bed,
    taskQueue,
    storeOf(a),
    async () => {
      const handle = await startIncident(bed, taskQueue, input(ws, [config], { reconcileActiveSeconds: 2 }), { incidentId: 'i1' });
      await waitForState(handle, (v) => actualOf(v, a.config.id) === 'active', 'diverted');
      bed.sim.cloudflare.setAdvertised(settings(a).accountId, settings(a).prefixId, a.bgpPrefixId, false);
      const reported = await waitForState(handle, (v) => integrationOf(v, a.config.id).drift?.open === true, 'drift reported');
      expect(integrationOf(reported, a.config.id).drift).toMatchObject({ action: 'reported', observed: 'not_diverted', count: 1 });
      // Two more reads later it is still open, still counted once, and nobody touched the prefix.
      const later = Date.parse(integrationOf(reported, a.config.id).provider!.checkedAt);
      const after = await waitForState(handle, (v) => Date.parse(integrationOf(v, a.config.id).provider?.checkedAt ?? '') > later + 3_000, 'two more reads');
      expect(integrationOf(after, a.config.id).drift).toMatchObject({ open: true, count: 1 });
      expect(actualOf(after, a.config.id)).toBe('active');
    },
    audit,
  );
  expect(advertisements(bed, a.bgpPrefixId)).toEqual([true]);
  expect(advertisedAtSimulator(bed, a)).toBe(false);
  expect(audit.entries.filter((e) => e.action === 'drift')).toHaveLength(1);
});

test('dry run: every decision is recorded and no provider is called', async () => {
  const ws = uniqueId('ws');
  const taskQueue = uniqueId('tq');
  const a = cloudflareIntegration(bed, ws);
  const audit = new MemoryAuditSink();
  await withWorker(
    bed,
    taskQueue,
    storeOf(a),
    async () => {
      const handle = await startIncident(bed, taskQueue, input(ws, [{ ...a.config, dryRun: true, minActiveSeconds: 0 }], { reconcileActiveSeconds: 1 }), { incidentId: 'i1' });
      const active = await waitForState(handle, (v) => actualOf(v, a.config.id) === 'active', 'dry-run diverted');
      expect(integrationOf(active, a.config.id)).toMatchObject({ dryRun: true, provider: null });
      expect(active.nextReconcileAt).toBeNull();
      await handle.signal(incidentResolvedSignal, { incidentId: 'i1' });
      await waitForState(handle, (v) => actualOf(v, a.config.id) === 'inactive', 'dry-run withdrawn');
    },
    audit,
  );
  expect(bed.sim.faults.requests.filter((r) => r.path.includes(a.bgpPrefixId))).toEqual([]);
  expect(audit.entries.map((e) => e.action)).toEqual(expect.arrayContaining(['dry-run.divert', 'dry-run.withdraw']));
});

test("an attack returning inside the provider's re-activation window waits for it, saying why, then diverts", async () => {
  const ws = uniqueId('ws');
  const taskQueue = uniqueId('tq');
  const a = cloudflareIntegration(bed, ws);
  const config: IntegrationConfig = { ...a.config, minActiveSeconds: 0, reactivateAfterSeconds: 4 };
  await withWorker(bed, taskQueue, storeOf(a), async () => {
    const handle = await startIncident(bed, taskQueue, input(ws, [config], {}), { incidentId: 'i1' });
    await waitForState(handle, (v) => actualOf(v, a.config.id) === 'active', 'diverted');
    await handle.signal(incidentResolvedSignal, { incidentId: 'i1' });
    await waitForState(handle, (v) => actualOf(v, a.config.id) === 'inactive', 'withdrawn');

    await handle.signal(incidentStartedSignal, { incidentId: 'i2' });
    const waiting = await waitForState(handle, (v) => integrationOf(v, a.config.id).activationWaitsUntil != null, 'activation waits');
    expect(integrationOf(waiting, a.config.id)).toMatchObject({ desired: 'active', actual: 'inactive', waitReason: expect.stringContaining('set on the integration') as string });
    await waitForState(handle, (v) => actualOf(v, a.config.id) === 'active', 'diverted again', 30_000);
  });
  const patches = bed.sim.faults.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith(a.bgpPrefixId));
  expect(advertisements(bed, a.bgpPrefixId)).toEqual([true, false, true]);
  // Not before the window: 4 s after the withdrawal was confirmed (its PATCH came a moment before).
  expect(patches[2]!.at - patches[1]!.at).toBeGreaterThanOrEqual(3_900);
});

test('flap damping: the state query shows the longer hold-down of a second wave and why', async () => {
  const ws = uniqueId('ws');
  const taskQueue = uniqueId('tq');
  const a = cloudflareIntegration(bed, ws);
  await withWorker(bed, taskQueue, storeOf(a), async () => {
    const handle = await startIncident(bed, taskQueue, input(ws, [a.config], { maxHoldDownSeconds: 3600 }, 600), { incidentId: 'w1' });
    await waitForState(handle, (v) => actualOf(v, a.config.id) === 'active', 'diverted');
    await handle.signal(incidentResolvedSignal, { incidentId: 'w1' });
    const first = await waitForState(handle, (v) => v.pendingHoldDowns.length === 1, 'first hold-down');
    expect(first.holdDown).toMatchObject({ baseSeconds: 600, seconds: 600, waves: 1 });
    await handle.signal(incidentStartedSignal, { incidentId: 'w2' });
    await handle.signal(incidentResolvedSignal, { incidentId: 'w2' });
    const second = await waitForState(handle, (v) => v.holdDown?.waves === 2 && v.pendingHoldDowns.length === 1, 'second hold-down');
    expect(second.holdDown).toMatchObject({ seconds: 1200, reason: expect.stringContaining('2 attack waves') as string });
    const until = Date.parse(second.pendingHoldDowns[0]!.until);
    expect(until - Date.now()).toBeGreaterThan(900_000); // 1,200 s from the resolve, not 600
    expect(integrationOf(second, a.config.id)).toMatchObject({ holdDownReason: expect.stringContaining('doubled 1 time') as string });
  });
  expect(advertisements(bed, a.bgpPrefixId)).toEqual([true]);
});
