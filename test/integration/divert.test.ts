/**
 * Automatic diversion on a real Temporal server: divert on attack, withdraw only
 * when every incident resolved and the hold-down expired, hold-down cancelled
 * by a new wave, scoped integrations, one provider failing while another succeeds.
 */
import {
  MemoryAuditSink,
  actualOf,
  advertisedAtSimulator,
  advertisements,
  cloudflareIntegration,
  startIncident,
  startWorkspace,
  storeOf,
  uniqueId,
  useBed,
  waitForState,
  withWorker,
  workspaceInput,
} from '../support/bed';
import { WORKFLOW_TYPE, incidentResolvedSignal, incidentStartedSignal, integrationsChangedSignal } from '../../workflows/messages';
import { SCRUBBING_STATE, WORKSPACE_ID } from '../../workflows/search-attributes';
import { eventually } from '../support/eventually';

const bed = useBed();

test('the first incident signal creates the workflow and diverts every integration', async () => {
  const ws = uniqueId('ws');
  const taskQueue = uniqueId('tq');
  const a = cloudflareIntegration(bed, ws);
  const b = cloudflareIntegration(bed, ws, { cidr: '198.51.100.0/24' });
  await withWorker(bed, taskQueue, storeOf(a, b), async () => {
    const handle = await startIncident(bed, taskQueue, workspaceInput(ws, [a.config, b.config]), { incidentId: 'i1' });
    expect(handle.workflowId).toBe(`scrubbing-${ws}`);
    const view = await waitForState(handle, (v) => actualOf(v, a.config.id) === 'active' && actualOf(v, b.config.id) === 'active', 'both integrations active');
    expect(view.activeIncidents.map((i) => i.incidentId)).toEqual(['i1']);
    expect(advertisedAtSimulator(bed, a)).toBe(true);
    expect(advertisedAtSimulator(bed, b)).toBe(true);
    expect(advertisements(bed, a.bgpPrefixId)).toEqual([true]);

    // Operators can find it in the Temporal UI's list by workspace and scrubbing state.
    const described = await handle.describe();
    expect(described.typedSearchAttributes.get(WORKSPACE_ID)).toBe(ws);
    expect(described.typedSearchAttributes.get(SCRUBBING_STATE)).toBe('diverted');
    const query = `WorkspaceId = '${ws}' AND ScrubbingState = 'diverted'`;
    await eventually(
      async () => (await listWorkflowIds(query)).length,
      (n) => n === 1,
      { what: 'visible in the list' },
    );
  });
});

test('ScrubbingState shows what the provider shows: one upsert per operation, a diversion in flight still idle and a withdrawal in flight still diverted', async () => {
  const ws = uniqueId('ws');
  const taskQueue = uniqueId('tq');
  const a = cloudflareIntegration(bed, ws);
  await withWorker(bed, taskQueue, storeOf(a), async () => {
    const handle = await startIncident(bed, taskQueue, workspaceInput(ws, [a.config]), { incidentId: 'i1' });
    await waitForState(handle, (v) => actualOf(v, a.config.id) === 'active', 'diverted');
    await handle.signal(incidentResolvedSignal, { incidentId: 'i1' });
    await waitForState(handle, (v) => actualOf(v, a.config.id) === 'inactive', 'withdrawn');
    const events = (await handle.fetchHistory()).events ?? [];
    const published = events.flatMap((e) => {
      const fields = e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields;
      const value = fields?.[SCRUBBING_STATE.name]?.data;
      return value ? [JSON.parse(Buffer.from(value).toString()) as string] : [];
    });
    // The run's first state, then one change per operation (runs before the patch also published diverting and withdrawing).
    expect(published).toEqual(['idle', 'diverted', 'idle']);
    expect((await handle.describe()).typedSearchAttributes.get(SCRUBBING_STATE)).toBe('idle');
  });
});

test('a workspace run records no patch marker: V2 has every patch without asking, so neither its start nor its first diversion records one or a TemporalChangeVersion upsert', async () => {
  const ws = uniqueId('ws');
  const taskQueue = uniqueId('tq');
  const a = cloudflareIntegration(bed, ws);
  const audit = new MemoryAuditSink();
  await withWorker(
    bed,
    taskQueue,
    storeOf(a),
    async () => {
      // Started with its configuration, as the API does for a workspace's first integration; the attack comes later.
      const handle = await startWorkspace(bed, taskQueue, workspaceInput(ws, [a.config]));
      await waitForState(handle, (v) => v.integrations.length === 1, 'started');
      expect((await handle.describe()).type).toBe(WORKFLOW_TYPE);
      const before = (await handle.fetchHistory()).events?.length ?? 0;
      await handle.signal(incidentStartedSignal, { incidentId: 'i1' });
      await waitForState(handle, (v) => actualOf(v, a.config.id) === 'active', 'diverted');
      await eventually(
        () => audit.entries.filter((e) => e.action === 'divert').length,
        (n) => n === 1,
        { what: 'the divert audited by its activity' },
      );
      const events = (await handle.fetchHistory()).events ?? [];
      // Patch markers are Core's `core_patch` (the incident-record read is a local activity's marker).
      expect(events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')).toEqual([]);
      // Two upserts in the whole run: WorkspaceId and ScrubbingState as it starts, ScrubbingState for the diversion.
      const upserted = events.flatMap((e) => {
        const fields = e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields;
        return fields ? [Object.keys(fields).sort()] : [];
      });
      expect(upserted).toEqual([[SCRUBBING_STATE.name, WORKSPACE_ID.name].sort(), [SCRUBBING_STATE.name]]);
      expect(events.slice(before).filter((e) => e.upsertWorkflowSearchAttributesEventAttributes)).toHaveLength(1);
    },
    audit,
  );
});

test("a diversion's success is audited by its provider activity: the trail has it with the provider's detail, and the workflow schedules no bookkeeping activity (and no workflow task) for it", async () => {
  const ws = uniqueId('ws');
  const taskQueue = uniqueId('tq');
  const a = cloudflareIntegration(bed, ws);
  const audit = new MemoryAuditSink();
  await withWorker(
    bed,
    taskQueue,
    storeOf(a),
    async () => {
      const handle = await startIncident(bed, taskQueue, workspaceInput(ws, [a.config]), { incidentId: 'i1' });
      await waitForState(handle, (v) => actualOf(v, a.config.id) === 'active', 'diverted');
      await eventually(
        () => audit.entries.filter((e) => e.action === 'divert').length,
        (n) => n === 1,
        { what: 'the divert audited' },
      );
      const [entry] = audit.entries.filter((e) => e.action === 'divert');
      expect(entry).toEqual({
        workspace: ws,
        actor: 'workflow',
        action: 'divert',
        integration: a.config.id,
        outcome: 'ok',
        detail: 'prefix 192.0.2.0/24 advertised',
      });
      const scheduled = (await handle.fetchHistory()).events?.flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
      expect(scheduled).toEqual(['cloudflare.advertise']);
    },
    audit,
  );
});

async function listWorkflowIds(query: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const execution of bed.env.client.workflow.list({ query })) ids.push(execution.workflowId);
  return ids;
}

test('withdraws only after every incident resolved and the hold-down expired', async () => {
  const ws = uniqueId('ws');
  const taskQueue = uniqueId('tq');
  const a = cloudflareIntegration(bed, ws);
  const input = workspaceInput(ws, [a.config], { holdDownSeconds: 2 });
  await withWorker(bed, taskQueue, storeOf(a), async () => {
    const handle = await startIncident(bed, taskQueue, input, { incidentId: 'wave-1' });
    await startIncident(bed, taskQueue, input, { incidentId: 'wave-2' });
    await waitForState(handle, (v) => actualOf(v, a.config.id) === 'active', 'diverted');

    await handle.signal(incidentResolvedSignal, { incidentId: 'wave-1' });
    const oneLeft = await waitForState(handle, (v) => v.activeIncidents.length === 1, 'one incident left');
    expect(oneLeft.pendingHoldDowns).toEqual([]);
    expect(actualOf(oneLeft, a.config.id)).toBe('active');

    await handle.signal(incidentResolvedSignal, { incidentId: 'wave-2' });
    const holding = await waitForState(handle, (v) => v.pendingHoldDowns.length === 1, 'hold-down started');
    expect(actualOf(holding, a.config.id)).toBe('active');
    expect(advertisedAtSimulator(bed, a)).toBe(true);

    const withdrawn = await waitForState(handle, (v) => actualOf(v, a.config.id) === 'inactive', 'withdrawn');
    expect(withdrawn.pendingHoldDowns).toEqual([]);
    expect(advertisedAtSimulator(bed, a)).toBe(false);
    expect(advertisements(bed, a.bgpPrefixId)).toEqual([true, false]);
    // The withdrawal happened no earlier than the hold-down allowed.
    const holdDownUntil = Date.parse(holding.integrations[0]!.holdDownUntil as string);
    const withdrawAt = bed.sim.faults.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith(a.bgpPrefixId))[1]!.at;
    expect(withdrawAt).toBeGreaterThanOrEqual(holdDownUntil);
  });
});

test('a new wave during the hold-down cancels the withdrawal', async () => {
  const ws = uniqueId('ws');
  const taskQueue = uniqueId('tq');
  const a = cloudflareIntegration(bed, ws);
  const input = workspaceInput(ws, [a.config], { holdDownSeconds: 3 });
  await withWorker(bed, taskQueue, storeOf(a), async () => {
    const handle = await startIncident(bed, taskQueue, input, { incidentId: 'wave-1' });
    await waitForState(handle, (v) => actualOf(v, a.config.id) === 'active', 'diverted');
    await handle.signal(incidentResolvedSignal, { incidentId: 'wave-1' });
    await waitForState(handle, (v) => v.pendingHoldDowns.length === 1, 'hold-down started');

    await startIncident(bed, taskQueue, input, { incidentId: 'wave-2' });
    const rearmed = await waitForState(handle, (v) => v.activeIncidents.length === 1, 'second wave recorded');
    expect(rearmed.pendingHoldDowns).toEqual([]);

    await handle.signal(incidentResolvedSignal, { incidentId: 'wave-2' });
    await waitForState(handle, (v) => actualOf(v, a.config.id) === 'inactive', 'withdrawn after the second wave');
    // One diversion for two waves: no flapping.
    expect(advertisements(bed, a.bgpPrefixId)).toEqual([true, false]);
  });
});

test('a scoped integration diverts only for incidents inside its CIDRs', async () => {
  const ws = uniqueId('ws');
  const taskQueue = uniqueId('tq');
  const v4 = cloudflareIntegration(bed, ws, { scope: ['203.0.113.0/24'] });
  const v6 = cloudflareIntegration(bed, ws, { scope: ['2001:db8::/32'] });
  const input = workspaceInput(ws, [v4.config, v6.config]);
  await withWorker(bed, taskQueue, storeOf(v4, v6), async () => {
    const handle = await startIncident(bed, taskQueue, input, { incidentId: 'v6-attack', target: '2001:db8::1' });
    const view = await waitForState(handle, (v) => actualOf(v, v6.config.id) === 'active', 'v6 diverted');
    expect(actualOf(view, v4.config.id)).toBe('inactive');
    expect(advertisements(bed, v4.bgpPrefixId)).toEqual([]);
  });
});

test('one provider failing does not delay another; the failed one shows the error and keeps its incidents', async () => {
  const ws = uniqueId('ws');
  const taskQueue = uniqueId('tq');
  const good = cloudflareIntegration(bed, ws);
  const badToken = cloudflareIntegration(bed, ws, { token: 'wrong-token' });
  const input = workspaceInput(ws, [good.config, badToken.config]);
  await withWorker(bed, taskQueue, storeOf(good, badToken), async () => {
    const handle = await startIncident(bed, taskQueue, input, { incidentId: 'i1' });
    const view = await waitForState(handle, (v) => actualOf(v, good.config.id) === 'active' && actualOf(v, badToken.config.id) === 'failed', 'one active, one failed');
    const failed = view.integrations.find((i) => i.id === badToken.config.id)!;
    expect(failed.lastError).toMatchObject({ type: 'ProviderAuthError', nonRetryable: true });
    expect(failed.lastError?.message).toContain('HTTP 401');
    // Authentication errors are not retried: exactly one call reached the provider.
    expect(failed.attempts).toBe(1);
    expect(view.activeIncidents).toHaveLength(1);
    expect(advertisedAtSimulator(bed, good)).toBe(true);
  });
});

test('integrationsChanged: a deleted integration that is diverted is withdrawn, then forgotten; a new one joins the attack', async () => {
  const ws = uniqueId('ws');
  const taskQueue = uniqueId('tq');
  const a = cloudflareIntegration(bed, ws);
  const b = cloudflareIntegration(bed, ws, { cidr: '198.51.100.0/24' });
  await withWorker(bed, taskQueue, storeOf(a, b), async () => {
    const handle = await startIncident(bed, taskQueue, workspaceInput(ws, [a.config]), { incidentId: 'i1' });
    await waitForState(handle, (v) => actualOf(v, a.config.id) === 'active', 'a diverted');

    await handle.signal(integrationsChangedSignal, { version: 2, holdDownSeconds: 0, integrations: [b.config] });
    const view = await waitForState(handle, (v) => v.integrations.length === 1 && actualOf(v, b.config.id) === 'active', 'a forgotten, b diverted');
    expect(view.configVersion).toBe(2);
    expect(advertisements(bed, a.bgpPrefixId)).toEqual([true, false]);
    expect(advertisedAtSimulator(bed, b)).toBe(true);

    // An older snapshot arriving late changes nothing.
    await handle.signal(integrationsChangedSignal, { version: 1, holdDownSeconds: 0, integrations: [a.config] });
    await handle.signal(incidentResolvedSignal, { incidentId: 'i1' });
    const after = await waitForState(handle, (v) => actualOf(v, b.config.id) === 'inactive', 'b withdrawn');
    expect(after.integrations.map((i) => i.id)).toEqual([b.config.id]);
  });
});
