/**
 * The Temporal server is stopped and restarted (file-persisted) in the middle of an incident,
 * with the worker kept running: the workflow resumes, its hold-down timer still fires, and
 * the provider sees exactly one divert and one withdraw.
 */
import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection } from '@temporalio/worker';
import { mkdtempSync } from 'node:fs';
import { freePort } from '../support/net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type RunningSimulator } from '../../simulator';
import { WORKFLOW_TYPE, incidentResolvedSignal, incidentStartedSignal, stateQuery, workspaceWorkflowId } from '../../workflows/messages';
import { createScrubbingWorkers } from '../../worker/create-worker';
import { INSTANT_PROVIDERS, MemoryAuditSink, NO_PROVIDER_WINDOWS, simulatedProviders, storeOf, TEST_RETRY } from '../support/bed';
import { eventually } from '../support/eventually';
import { bundleWorkflows, SEARCH_ATTRIBUTE_ARGS } from '../support/temporal';
import { temporalCliPath } from '../support/tools';

let sim: RunningSimulator;
afterAll(() => sim?.close());

test('a hold-down started before a Temporal restart still withdraws after it', async () => {
  sim = await startSimulator({ timing: INSTANT_PROVIDERS });
  const port = await freePort();
  const dbFilename = join(mkdtempSync(join(tmpdir(), 'temporal-db-')), 'temporal.db');
  const server = () =>
    TestWorkflowEnvironment.createLocal({
      server: { executable: { type: 'existing-path', path: temporalCliPath() }, ip: '127.0.0.1', port, dbFilename, extraArgs: SEARCH_ATTRIBUTE_ARGS, log: { format: 'pretty', level: 'error' } },
    });
  const account = { accountId: 'a'.repeat(32), prefixId: 'b'.repeat(32), bgpPrefixId: 'c'.repeat(32), token: 'restart-token' };
  sim.cloudflare.seed({ ...account, cidr: '192.0.2.0/24' });
  const integration = { stored: { id: 'cf', workspaceId: 'restart', type: 'cloudflare', settings: { ...account }, credentials: { apiToken: account.token } } };
  const advertised = () => sim.cloudflare.bgpPrefix(account.accountId, account.prefixId, account.bgpPrefixId)?.on_demand.advertised;

  let env = await server();
  const address = `127.0.0.1:${port}`;
  const workerConnection = await NativeConnection.connect({ address });
  const clientConnection = await Connection.connect({ address });
  const client = new Client({ connection: clientConnection });
  const { main: worker, background } = await createScrubbingWorkers({
    connection: workerConnection,
    taskQueue: 'restart',
    workflowBundle: await bundleWorkflows(),
    dependencies: { integrations: storeOf(integration), providers: simulatedProviders(sim), audit: new MemoryAuditSink() },
  });
  const running = Promise.all([worker.run(), background.run()]);
  try {
    const handle = await client.workflow.signalWithStart(WORKFLOW_TYPE, {
      workflowId: workspaceWorkflowId('restart'),
      taskQueue: 'restart',
      args: [{ workspaceId: 'restart', config: { version: 1, holdDownSeconds: 6, integrations: [{ id: 'cf', type: 'cloudflare', ...NO_PROVIDER_WINDOWS }] }, retry: TEST_RETRY }],
      signal: incidentStartedSignal,
      signalArgs: [{ incidentId: 'i1' }],
    });
    await eventually(
      () => advertised(),
      (v) => v === true,
      { what: 'diverted' },
    );
    await handle.signal(incidentResolvedSignal, { incidentId: 'i1' });
    await eventually(
      () => handle.query(stateQuery),
      (v) => v.pendingHoldDowns.length === 1,
      { what: 'hold-down pending' },
    );

    await env.teardown(); // the server goes away mid-incident
    expect(advertised()).toBe(true);
    env = await server(); // and comes back on the same port with the same database

    await eventually(
      () => advertised(),
      (v) => v === false,
      { what: 'withdrawn after the restart', timeoutMs: 60_000 },
    );
    const view = await eventually(
      () => client.workflow.getHandle(workspaceWorkflowId('restart')).query(stateQuery),
      (v) => v.integrations[0]?.actual === 'inactive',
      { what: 'state inactive', timeoutMs: 30_000 },
    );
    expect(view.pendingHoldDowns).toEqual([]);
    const patches = sim.faults.requests.filter((r) => r.method === 'PATCH').map((r) => (r.body as { on_demand: { advertised: boolean } }).on_demand.advertised);
    expect(patches).toEqual([true, false]);
  } finally {
    worker.shutdown();
    background.shutdown();
    await running;
    await clientConnection.close();
    await workerConnection.close();
    await env.teardown();
  }
}, 120_000);
