/**
 * Crashes and provider back-pressure on a real Temporal server: the worker
 * process is SIGKILLed while a provider call is in flight and a new one takes
 * over; a provider's Retry-After is honoured.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { actualOf, advertisedAtSimulator, advertisements, cloudflareIntegration, startIncident, storeOf, uniqueId, useBed, waitForState, withWorker, workspaceInput } from '../support/bed';
import { eventually } from '../support/eventually';
import { spawnWorker, workerBedEnv } from '../support/worker-process';
import { openTestDatabase } from '../support/database';
import { CredentialCipher } from '../../store/crypto';
import { integrationRepository } from '../../store/integrations';
import type { OperationRetryOptions } from '../../workflows/messages';
import { temporal } from '@temporalio/proto';

const bed = useBed();
let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'scrubbing-crash-'));
});

/**
 * Runs a real worker process, SIGKILLs it while the provider's PATCH (1.5 s) is in flight,
 * starts a second one and waits for the diversion; returns the workflow and the integration.
 */
async function killedDuringPatch(retry: Partial<OperationRetryOptions>) {
  const ws = uniqueId('ws');
  const taskQueue = uniqueId('tq');
  const seeded = cloudflareIntegration(bed, ws);
  // The real worker process reads the integration from MongoDB and decrypts its credentials.
  const database = await openTestDatabase();
  const encryptionKeys = CredentialCipher.generateSpec('crash');
  const stored = await integrationRepository(database.models, CredentialCipher.fromSpec(encryptionKeys)).create(ws, {
    type: 'cloudflare',
    name: 'cf',
    settings: seeded.stored.settings,
    credentials: seeded.stored.credentials,
  });
  await database.close();
  const a = { ...seeded, config: { ...seeded.config, id: stored.id } };
  const bundlePath = join(scratch, 'workflow-bundle.js');
  writeFileSync(bundlePath, bed.bundle.code);
  const workerEnv = {
    TEMPORAL_ADDRESS: bed.env.address,
    TEMPORAL_TASK_QUEUE: taskQueue,
    MONGO_URL: database.url,
    ENCRYPTION_KEYS: encryptionKeys,
    ...workerBedEnv(bed.sim, bundlePath),
  };
  // The provider takes 1.5 s to answer the PATCH: the worker dies while waiting for it.
  bed.sim.faults.add({ provider: 'cloudflare', method: 'PATCH', pathIncludes: a.bgpPrefixId, delayMs: 1500 });
  const input = workspaceInput(ws, [a.config], { retry: { initialIntervalMs: 100, maximumIntervalMs: 500, maximumAttempts: 5, ...retry } });

  const first = spawnWorker(workerEnv);
  let second: ReturnType<typeof spawnWorker> | undefined;
  try {
    await first.ready;
    const handle = await startIncident(bed, taskQueue, input, { incidentId: 'i1' });
    await eventually(
      () => advertisements(bed, a.bgpPrefixId).length,
      (n) => n === 1,
      { what: 'PATCH in flight' },
    );
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));

    second = spawnWorker(workerEnv);
    await second.ready;
    const view = await waitForState(handle, (v) => actualOf(v, a.config.id) === 'active', 'active after the restart', 30_000);
    return { handle, view, a };
  } finally {
    first.child.kill('SIGKILL');
    second?.child.kill('SIGTERM');
    if (second) await new Promise((resolve) => (second!.child.exitCode !== null ? resolve(null) : second!.child.once('exit', resolve)));
  }
}

test('a worker killed mid-operation is replaced and the activation completes exactly once', async () => {
  const { view, a } = await killedDuringPatch({ startToCloseTimeoutMs: 3_000 });
  // The retry (attempt 2, after the start-to-close timeout) found the prefix advertised and sent no second PATCH.
  expect(view.integrations[0]?.attempts).toBe(2);
  expect(advertisements(bed, a.bgpPrefixId)).toEqual([true]);
  expect(advertisedAtSimulator(bed, a)).toBe(true);
});

test("provider calls heartbeat: a lost worker's call is retried after the heartbeat timeout, not the minute-long attempt timeout", async () => {
  const { handle, view, a } = await killedDuringPatch({ startToCloseTimeoutMs: 60_000, heartbeatTimeoutMs: 2_000 });
  expect(view.integrations[0]?.attempts).toBe(2);
  expect(advertisements(bed, a.bgpPrefixId)).toEqual([true]); // one effective write
  // The second attempt started because the first stopped heartbeating (its last failure says so).
  const history = await handle.fetchHistory();
  const started = history.events?.map((e) => e.activityTaskStartedEventAttributes).find((attrs) => attrs?.attempt === 2);
  expect(started?.lastFailure?.timeoutFailureInfo?.timeoutType).toBe(temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_HEARTBEAT);
});

test("a provider's Retry-After delays the next attempt and the integration ends diverted", async () => {
  const ws = uniqueId('ws');
  const taskQueue = uniqueId('tq');
  const a = cloudflareIntegration(bed, ws);
  bed.sim.faults.add({
    provider: 'cloudflare',
    method: 'PATCH',
    pathIncludes: a.bgpPrefixId,
    status: 429,
    headers: { 'retry-after': '2' },
    body: { success: false, errors: [{ code: 971, message: 'Please wait and consider throttling your request speed' }] },
  });
  await withWorker(bed, taskQueue, storeOf(a), async () => {
    const handle = await startIncident(bed, taskQueue, workspaceInput(ws, [a.config]), { incidentId: 'i1' });
    const view = await waitForState(handle, (v) => actualOf(v, a.config.id) === 'active', 'diverted after the rate limit');
    expect(view.integrations[0]?.attempts).toBe(2);
  });
  const patches = bed.sim.faults.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith(a.bgpPrefixId));
  expect(patches.map((r) => r.status)).toEqual([429, 200]);
  // The test retry policy would retry after 100 ms; Retry-After said 2 s.
  expect(patches[1]!.at - patches[0]!.at).toBeGreaterThanOrEqual(1900);
});
