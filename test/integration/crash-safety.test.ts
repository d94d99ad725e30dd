/**
 * Crash safety end to end: the worker process is killed and the Temporal server stopped
 * between "activate requested" (the provider has our PATCH) and "provider confirmed" (the
 * activity's answer reached Temporal). The provider applies the change while we are down.
 * After both come back (same SQLite file, a new worker process) the workflow carries on:
 * one diversion at the provider, not two, and the state says diverted.
 */
import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type RunningSimulator } from '../../simulator';
import { CredentialCipher } from '../../store/crypto';
import { integrationRepository } from '../../store/integrations';
import { WORKFLOW_TYPE, incidentStartedSignal, stateQuery, workspaceWorkflowId, type WorkspaceWorkflowInput } from '../../workflows/messages';
import { INSTANT_PROVIDERS } from '../support/bed';
import { openTestDatabase } from '../support/database';
import { eventually } from '../support/eventually';
import { freePort } from '../support/net';
import { recordSecrets } from '../support/secret-scan';
import { bundleWorkflows, everyHistoryText, SEARCH_ATTRIBUTE_ARGS } from '../support/temporal';
import { temporalCliPath } from '../support/tools';
import { killWorker, spawnWorker, workerBedEnv } from '../support/worker-process';

let sim: RunningSimulator | undefined;
afterAll(() => sim?.close());

test('worker and Temporal stopped between "activate requested" and "provider confirmed": one diversion and the right state after restart', async () => {
  sim = await startSimulator({ timing: INSTANT_PROVIDERS });
  const scratch = mkdtempSync(join(tmpdir(), 'scrubbing-crash-safety-'));
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const dbFilename = join(scratch, 'temporal.db');
  const server = () =>
    TestWorkflowEnvironment.createLocal({
      server: { executable: { type: 'existing-path', path: temporalCliPath() }, ip: '127.0.0.1', port, dbFilename, extraArgs: SEARCH_ATTRIBUTE_ARGS, log: { format: 'pretty', level: 'error' } },
    });

  // The worker process reads the integration from MongoDB and decrypts its credentials.
  const ws = 'crash-safety';
  const account = { accountId: 'd'.repeat(32), prefixId: 'e'.repeat(32), bgpPrefixId: 'f'.repeat(32) };
  const token = `crash-safety-token-${Date.now()}`;
  recordSecrets(token);
  sim.cloudflare.seed({ ...account, token, cidr: '198.51.100.0/24' });
  const database = await openTestDatabase();
  const encryptionKeys = CredentialCipher.generateSpec('crash-safety');
  const stored = await integrationRepository(database.models, CredentialCipher.fromSpec(encryptionKeys)).create(ws, {
    type: 'cloudflare',
    name: 'cf',
    settings: account,
    credentials: { apiToken: token },
  });
  await database.close();
  const bundlePath = join(scratch, 'workflow-bundle.js');
  writeFileSync(bundlePath, (await bundleWorkflows()).code);
  const workerEnv = {
    TEMPORAL_ADDRESS: address,
    TEMPORAL_TASK_QUEUE: 'crash-safety',
    MONGO_URL: database.url,
    ENCRYPTION_KEYS: encryptionKeys,
    ...workerBedEnv(sim, bundlePath),
  };
  const patches = () => sim!.faults.requests.filter((r) => r.method === 'PATCH').map((r) => (r.body as { on_demand: { advertised: boolean } }).on_demand.advertised);
  const advertised = () => sim!.cloudflare.bgpPrefix(account.accountId, account.prefixId, account.bgpPrefixId)?.on_demand.advertised === true;
  // The provider holds our PATCH for 3 s before applying it: long enough to take everything down meanwhile.
  sim.faults.add({ provider: 'cloudflare', method: 'PATCH', pathIncludes: account.bgpPrefixId, delayMs: 3_000 });

  let env = await server();
  let connection = await Connection.connect({ address });
  const first = spawnWorker(workerEnv);
  let second: ReturnType<typeof spawnWorker> | undefined;
  try {
    await first.ready;
    const input: WorkspaceWorkflowInput = {
      workspaceId: ws,
      config: { version: 1, holdDownSeconds: 300, integrations: [{ id: stored.id, type: 'cloudflare' }] },
      retry: { initialIntervalMs: 200, maximumIntervalMs: 1_000, maximumAttempts: 10, startToCloseTimeoutMs: 4_000 },
    };
    await new Client({ connection }).workflow.signalWithStart(WORKFLOW_TYPE, {
      workflowId: workspaceWorkflowId(ws),
      taskQueue: 'crash-safety',
      args: [input],
      signal: incidentStartedSignal,
      signalArgs: [{ incidentId: 'attack-1' }],
    });

    // "Activate requested": the provider has the PATCH and has not answered.
    await eventually(
      () => patches(),
      (p) => p.length === 1,
      { what: 'the PATCH reached the provider' },
    );
    expect(advertised()).toBe(false);
    await killWorker(first.child);
    await connection.close();
    await env.teardown();

    // While we are down the provider applies it.
    await eventually(
      () => advertised(),
      (a) => a,
      { what: 'the provider applied the held PATCH' },
    );

    env = await server();
    connection = await Connection.connect({ address });
    second = spawnWorker(workerEnv);
    await second.ready;
    const handle = new Client({ connection }).workflow.getHandle(workspaceWorkflowId(ws));
    const view = await eventually(
      () => handle.query(stateQuery),
      (v) => v.integrations[0]?.actual === 'active',
      { what: 'active after the restart', timeoutMs: 60_000 },
    );
    expect(view.integrations[0]).toMatchObject({ desired: 'active', actual: 'active', lastError: null });
    expect(view.activeIncidents.map((i) => i.incidentId)).toEqual(['attack-1']);
    // The retried activation read the prefix, found it advertised and sent nothing: one diversion.
    expect(patches()).toEqual([true]);
    expect(advertised()).toBe(true);
    const histories = await everyHistoryText(new Client({ connection }));
    expect(histories.some((h) => h.includes(token))).toBe(false);
  } finally {
    await killWorker(first.child);
    if (second) await killWorker(second.child, 'SIGTERM');
    await connection.close().catch(() => undefined);
    await env.teardown();
  }
}, 180_000);
