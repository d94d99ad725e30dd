/**
 * Manual Activate/Withdraw through the workflow's updates on a real Temporal
 * server: they return after the provider call with the resulting state, reject
 * unknown integrations before history, and fail with the provider's error.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { actualOf, advertisedAtSimulator, advertisements, cloudflareIntegration, startIncident, storeOf, uniqueId, useBed, waitForState, withWorker, workspaceInput } from '../support/bed';
import { activateUpdate, incidentResolvedSignal, withdrawUpdate } from '../../workflows/messages';
import { eventually } from '../support/eventually';

const bed = useBed();

test('activate and withdraw return the resulting state after the provider call', async () => {
  const ws = uniqueId('ws');
  const taskQueue = uniqueId('tq');
  const manualOnly = cloudflareIntegration(bed, ws, { autoDivert: false });
  const input = workspaceInput(ws, [manualOnly.config]);
  await withWorker(bed, taskQueue, storeOf(manualOnly), async () => {
    const handle = await startIncident(bed, taskQueue, input, { incidentId: 'i1' });
    await waitForState(handle, (v) => v.activeIncidents.length === 1, 'incident recorded');
    expect(advertisements(bed, manualOnly.bgpPrefixId)).toEqual([]);

    const activated = await handle.executeUpdate(activateUpdate, { args: [{ integrationId: manualOnly.config.id, actor: 'key-1' }] });
    expect(activated).toMatchObject({ id: manualOnly.config.id, actual: 'active', desired: 'active', manual: 'activate', attempts: 1 });
    expect(advertisedAtSimulator(bed, manualOnly)).toBe(true);

    // A manual activation outlives the attack.
    await handle.signal(incidentResolvedSignal, { incidentId: 'i1' });
    const after = await waitForState(handle, (v) => v.activeIncidents.length === 0, 'incident resolved');
    expect(actualOf(after, manualOnly.config.id)).toBe('active');

    const withdrawn = await handle.executeUpdate(withdrawUpdate, { args: [{ integrationId: manualOnly.config.id }] });
    expect(withdrawn).toMatchObject({ actual: 'inactive', desired: 'inactive', manual: 'withdraw' });
    expect(advertisements(bed, manualOnly.bgpPrefixId)).toEqual([true, false]);
  });
});

test('a manual withdraw during an attack sticks until a new incident triggers the integration', async () => {
  const ws = uniqueId('ws');
  const taskQueue = uniqueId('tq');
  const a = cloudflareIntegration(bed, ws);
  const input = workspaceInput(ws, [a.config]);
  await withWorker(bed, taskQueue, storeOf(a), async () => {
    const handle = await startIncident(bed, taskQueue, input, { incidentId: 'i1' });
    await waitForState(handle, (v) => actualOf(v, a.config.id) === 'active', 'diverted');
    const withdrawn = await handle.executeUpdate(withdrawUpdate, { args: [{ integrationId: a.config.id }] });
    expect(withdrawn.actual).toBe('inactive');

    await startIncident(bed, taskQueue, input, { incidentId: 'i1' }); // duplicate: does not re-trigger
    const still = await waitForState(handle, (v) => v.activeIncidents.length === 1, 'still one incident');
    expect(actualOf(still, a.config.id)).toBe('inactive');

    await startIncident(bed, taskQueue, input, { incidentId: 'i2' });
    const again = await waitForState(handle, (v) => actualOf(v, a.config.id) === 'active', 'diverted by the new incident');
    expect(again.integrations[0]?.manual).toBeNull();
    expect(advertisements(bed, a.bgpPrefixId)).toEqual([true, false, true]);
  });
});

test('the update validator rejects an unknown integration before it reaches history', async () => {
  const ws = uniqueId('ws');
  const taskQueue = uniqueId('tq');
  const a = cloudflareIntegration(bed, ws);
  await withWorker(bed, taskQueue, storeOf(a), async () => {
    const handle = await startIncident(bed, taskQueue, workspaceInput(ws, [a.config]), { incidentId: 'i1' });
    const error = await handle.executeUpdate(activateUpdate, { args: [{ integrationId: 'no-such-integration' }] }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(String((error as WorkflowUpdateFailedError).cause?.message)).toContain('unknown integration: no-such-integration');
    const history = await handle.fetchHistory();
    const updateEvents = history.events?.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes) ?? [];
    expect(updateEvents).toHaveLength(0);
  });
});

test('a manual action whose provider call fails returns a clear error and the state shows it', async () => {
  const ws = uniqueId('ws');
  const taskQueue = uniqueId('tq');
  const a = cloudflareIntegration(bed, ws, { autoDivert: false });
  await withWorker(bed, taskQueue, storeOf(a), async () => {
    const handle = await startIncident(bed, taskQueue, workspaceInput(ws, [a.config]), { incidentId: 'i1' });
    bed.sim.faults.add({ provider: 'cloudflare', method: 'PATCH', status: 503, times: -1, body: { success: false, errors: [{ code: 1, message: 'maintenance' }] } });
    try {
      const error = await handle.executeUpdate(activateUpdate, { args: [{ integrationId: a.config.id }] }).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
      const cause = (error as WorkflowUpdateFailedError).cause as ApplicationFailure;
      expect(cause.type).toBe('ManualActionFailed');
      expect(cause.message).toContain('ProviderUnavailableError: cloudflare: HTTP 503');
      const view = await waitForState(handle, (v) => actualOf(v, a.config.id) === 'failed', 'failed');
      // Retryable: every attempt of the policy was made.
      expect(view.integrations[0]?.attempts).toBe(3);
    } finally {
      bed.sim.faults.reset();
    }
    // The next manual action tries again and succeeds.
    const retried = await handle.executeUpdate(activateUpdate, { args: [{ integrationId: a.config.id }] });
    expect(retried).toMatchObject({ actual: 'active', lastError: null });
  });
});

test('two manual actions sent while an operation is in flight each answer with the outcome of the call that served them', async () => {
  const ws = uniqueId('ws');
  const taskQueue = uniqueId('tq');
  const a = cloudflareIntegration(bed, ws);
  // The attack's PATCH takes 1.5 s; the withdrawal after it is refused (authentication, not retried).
  bed.sim.faults.add({ provider: 'cloudflare', method: 'PATCH', pathIncludes: a.bgpPrefixId, delayMs: 1500, times: 1 });
  bed.sim.faults.add({
    provider: 'cloudflare',
    method: 'PATCH',
    pathIncludes: a.bgpPrefixId,
    status: 403,
    times: 1,
    body: { success: false, errors: [{ code: 10000, message: 'Authentication error' }] },
  });
  await withWorker(bed, taskQueue, storeOf(a), async () => {
    const handle = await startIncident(bed, taskQueue, workspaceInput(ws, [a.config]), { incidentId: 'i1' });
    await eventually(
      () => advertisements(bed, a.bgpPrefixId).length,
      (n) => n === 1,
      { what: 'the activation in flight' },
    );
    // Both arrive while the activation is in flight: one withdrawal serves both, and it fails.
    const first = await handle.startUpdate(withdrawUpdate, { args: [{ integrationId: a.config.id, actor: 'first' }], waitForStage: 'ACCEPTED' });
    const second = await handle.startUpdate(withdrawUpdate, { args: [{ integrationId: a.config.id, actor: 'second' }], waitForStage: 'ACCEPTED' });
    const outcomes = await Promise.allSettled([first.result(), second.result()]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    for (const outcome of outcomes) expect(String((outcome as PromiseRejectedResult).reason?.cause?.message)).toContain('Authentication error');
  });
});

test("a manual action overtaken by a later one before it ran says so instead of answering with the other one's result", async () => {
  const ws = uniqueId('ws');
  const taskQueue = uniqueId('tq');
  const a = cloudflareIntegration(bed, ws);
  bed.sim.faults.add({ provider: 'cloudflare', method: 'PATCH', pathIncludes: a.bgpPrefixId, delayMs: 1500, times: 1 });
  await withWorker(bed, taskQueue, storeOf(a), async () => {
    const handle = await startIncident(bed, taskQueue, workspaceInput(ws, [a.config]), { incidentId: 'i1' });
    await eventually(
      () => advertisements(bed, a.bgpPrefixId).length,
      (n) => n === 1,
      { what: 'the activation in flight' },
    );
    const withdraw = await handle.startUpdate(withdrawUpdate, { args: [{ integrationId: a.config.id }], waitForStage: 'ACCEPTED' });
    const activate = await handle.startUpdate(activateUpdate, { args: [{ integrationId: a.config.id }], waitForStage: 'ACCEPTED' });
    await expect(activate.result()).resolves.toMatchObject({ actual: 'active', manual: 'activate' });
    const overtaken = await withdraw.result().then(
      () => undefined,
      (err: unknown) => err as WorkflowUpdateFailedError,
    );
    expect(overtaken).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(overtaken?.cause).toMatchObject({ type: 'ManualActionSuperseded' });
    expect(advertisements(bed, a.bgpPrefixId)).toEqual([true]); // the operator's activation read it advertised already: no second write
  });
});
