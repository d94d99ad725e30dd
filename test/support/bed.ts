/**
 * The integration test bed: a real Temporal dev server, the provider simulator,
 * the workflow bundle, and helpers to run the real worker (real activities,
 * real Cloudflare adapter over HTTP) against them.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { WorkflowHandle } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import type { ActivityDependencies, AuditSink } from '../../activities';
import { InMemoryIntegrationStore, type IntegrationStore } from '../../activities/integration-store';
import type { AuditEntry } from '../../workflows/activity-names';
import { createProviderRegistry } from '../../activities/providers';
import type { LoadedIntegration } from '../../catalog/contract';
import { startSimulator, type RunningSimulator } from '../../simulator';
import { INSTANT_TIMING } from '../../simulator/clock';
import { createScrubbingWorkers, type ScrubbingWorkerOptions } from '../../worker/create-worker';
import {
  WORKFLOW_TYPE,
  incidentStartedSignal,
  stateQuery,
  workspaceWorkflowId,
  type IncidentStart,
  type IntegrationConfig,
  type WorkspaceConfig,
  type WorkspaceView,
  type WorkspaceWorkflowInput,
} from '../../workflows/messages';
import { bundleWorkflows, everyHistoryText, replayAndRecord, startTemporal } from './temporal';
import { recordEvidence, recordSecrets } from './secret-scan';
import { eventually } from './eventually';

export interface Bed {
  env: TestWorkflowEnvironment;
  bundle: WorkflowBundleWithSourceMap;
  sim: RunningSimulator;
  /** Every workflow a test started, replayed when the file ends. */
  started: { name: string; handle: WorkflowHandle }[];
  /** Every credential the helpers created: none may appear in any workflow history. */
  secrets: string[];
}

/** Fast retries so failure paths finish within a test. */
export const TEST_RETRY = { initialIntervalMs: 100, maximumIntervalMs: 500, maximumAttempts: 3, startToCloseTimeoutMs: 5_000 };

/** Providers that apply changes at once and allow any number of them: tests of provider timing set their own. */
export const INSTANT_PROVIDERS = INSTANT_TIMING;
/** The matching integration setting: no provider windows and no calm gate (tests of the windows or the gate set their own). */
export const NO_PROVIDER_WINDOWS = { minActiveSeconds: 0, reactivateAfterSeconds: 0, calmGate: false };

export async function startBed(): Promise<Bed> {
  const [env, bundle, sim] = await Promise.all([startTemporal(), bundleWorkflows(), startSimulator({ timing: INSTANT_PROVIDERS })]);
  return { env, bundle, sim, started: [], secrets: [] };
}

export async function stopBed(bed: Bed | undefined): Promise<void> {
  if (!bed) return;
  try {
    recordSecrets(...bed.secrets);
    const logs = ((globalThis as { __temporalLogLines?: string[] }).__temporalLogLines ?? []).join('\n');
    const leakedToLogs = bed.secrets.filter((secret) => logs.includes(secret));
    if (leakedToLogs.length > 0) throw new Error(`${leakedToLogs.length} credential(s) found in worker log lines`);
    if (bed.started.length > 0) await replayAndRecord(bed.env, bed.bundle, bed.started);
    // Every workflow on this file's server, also those the API started, for this file's scan and the suite's.
    const histories = await everyHistoryText(bed.env.client);
    recordEvidence('workflow-history', ...histories);
    const leaked = bed.secrets.filter((secret) => histories.some((history) => history.includes(secret)));
    if (leaked.length > 0) throw new Error(`${leaked.length} credential(s) found in workflow histories`);
  } finally {
    await bed.sim.close();
    await bed.env.teardown();
  }
}

/** One bed per test file: started before its tests, replayed, scanned and stopped after them. */
export function useBed(): Bed {
  const bed = {} as Bed;
  beforeAll(async () => {
    Object.assign(bed, await startBed());
  });
  afterAll(() => stopBed(bed.env ? bed : undefined));
  return bed;
}

export function uniqueId(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** A Cloudflare integration seeded at the simulator; hex IDs as Cloudflare uses. */
export function cloudflareIntegration(
  bed: Bed,
  workspaceId: string,
  options: { cidr?: string; scope?: IntegrationConfig['scope']; autoDivert?: boolean; token?: string } = {},
): { config: IntegrationConfig; stored: LoadedIntegration; bgpPrefixId: string } {
  const hex = () => randomUUID().replace(/-/g, '');
  const id = uniqueId('cf');
  const accountId = hex();
  const prefixId = hex();
  const bgpPrefixId = hex();
  const token = `token-${hex()}`;
  bed.secrets.push(token);
  bed.sim.cloudflare.seed({ accountId, token, prefixId, bgpPrefixId, cidr: options.cidr ?? '192.0.2.0/24' });
  return {
    config: {
      id,
      type: 'cloudflare',
      ...NO_PROVIDER_WINDOWS,
      ...(options.autoDivert === undefined ? {} : { autoDivert: options.autoDivert }),
      ...(options.scope === undefined ? {} : { scope: options.scope }),
    },
    stored: {
      id,
      workspaceId,
      type: 'cloudflare',
      settings: { accountId, prefixId, bgpPrefixId },
      credentials: { apiToken: options.token ?? token },
    },
    bgpPrefixId,
  };
}

/** An OVH integration on a fresh IP of the simulator, with its own keys. */
export function ovhIntegration(bed: Bed, workspaceId: string, options: { rules?: number } = {}) {
  const id = uniqueId('ovh');
  const n = ++seq;
  const ip = `203.0.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`;
  const keys = { applicationKey: `ak-${id}`, applicationSecret: `as-${randomUUID()}`, consumerKey: `ck-${randomUUID()}` };
  bed.sim.ovh.addConsumer(keys);
  bed.secrets.push(keys.applicationSecret, keys.consumerKey);
  bed.sim.ovh.seedIp({ ipBlock: `${ip}/32`, ip, rules: options.rules ?? 3 });
  const config: IntegrationConfig = { id, type: 'ovh' };
  const stored: LoadedIntegration = { id, workspaceId, type: 'ovh', settings: { endpoint: 'ovh-eu', ip }, credentials: keys };
  return { config, stored, ip, firewallEnabled: () => bed.sim.ovh.firewall(`${ip}/32`, ip)?.enabled === true };
}

/** A Hetzner integration on a fresh simulated server with rules in both directions. */
export function hetznerIntegration(bed: Bed, workspaceId: string, options: { password?: string } = {}) {
  const id = uniqueId('hz');
  const serverNumber = 1000 + ++seq;
  const username = `#ws+${id}`;
  const password = `pw-${randomUUID()}`;
  bed.sim.hetzner.users.set(username, password);
  bed.secrets.push(password);
  bed.sim.hetzner.seedServer({
    serverNumber,
    firewall: { rules: { input: [{ name: 'Allow HTTPS', protocol: 'tcp', dst_port: '443', action: 'accept' }], output: [{ name: 'Allow all', action: 'accept' }] } },
  });
  const config: IntegrationConfig = { id, type: 'hetzner', ...NO_PROVIDER_WINDOWS };
  const stored: LoadedIntegration = {
    id,
    workspaceId,
    type: 'hetzner',
    settings: { serverNumber },
    credentials: { username, password: options.password ?? password },
  };
  return { config, stored, serverNumber, firewallActive: () => bed.sim.hetzner.servers.get(serverNumber)?.firewall.status === 'active' };
}
let seq = 0;

export function simulatedProviders(sim: RunningSimulator) {
  return createProviderRegistry(sim.providerUrls);
}

export function storeOf(...integrations: { stored: LoadedIntegration }[]): InMemoryIntegrationStore {
  const store = new InMemoryIntegrationStore();
  integrations.forEach((i) => store.put(i.stored));
  return store;
}

/** An audit sink that keeps entries in memory, for tests. */
export class MemoryAuditSink implements AuditSink {
  readonly entries: AuditEntry[] = [];
  record(entry: AuditEntry): Promise<void> {
    this.entries.push(entry);
    return Promise.resolve();
  }
}

/** Runs the real worker (in this process) on its own task queue until `fn` settles. */
export async function withWorker<T>(
  bed: Bed,
  taskQueue: string,
  store: IntegrationStore,
  fn: () => Promise<T>,
  audit: AuditSink = new MemoryAuditSink(),
  extra: Pick<ActivityDependencies, 'notifications' | 'incidents' | 'configs'> = {},
  tuning?: ScrubbingWorkerOptions['tuning'],
): Promise<T> {
  const { main, background } = await createScrubbingWorkers({
    connection: bed.env.nativeConnection,
    taskQueue,
    workflowBundle: bed.bundle,
    dependencies: { integrations: store, providers: simulatedProviders(bed.sim), audit, ...extra },
    ...(tuning ? { tuning } : {}),
  });
  return background.runUntil(main.runUntil(fn()));
}

export function workspaceInput(
  workspaceId: string,
  integrations: IntegrationConfig[],
  extra: Partial<WorkspaceWorkflowInput> & { holdDownSeconds?: number } = {},
): WorkspaceWorkflowInput & { config: WorkspaceConfig } {
  const { holdDownSeconds = 0, ...rest } = extra;
  const config: WorkspaceConfig = { version: 1, holdDownSeconds, integrations };
  return { workspaceId, config, retry: TEST_RETRY, ...rest };
}

/** What a detector does: signal-with-start, so the first incident creates the workflow. */
export async function startIncident(bed: Bed, taskQueue: string, input: WorkspaceWorkflowInput, incident: IncidentStart): Promise<WorkflowHandle> {
  const handle = await bed.env.client.workflow.signalWithStart(WORKFLOW_TYPE, {
    workflowId: workspaceWorkflowId(input.workspaceId),
    taskQueue,
    args: [input],
    signal: incidentStartedSignal,
    signalArgs: [incident],
  });
  return replayedAtTheEnd(bed, handle);
}

/**
 * What the API does for a workspace's first integration: the workflow starts with its configuration, before any attack.
 * `LEGACY_WORKFLOW_TYPE` starts a run as one begun before V2 would be.
 */
export async function startWorkspace(bed: Bed, taskQueue: string, input: WorkspaceWorkflowInput, workflowType = WORKFLOW_TYPE): Promise<WorkflowHandle> {
  const handle = await bed.env.client.workflow.start(workflowType, { workflowId: workspaceWorkflowId(input.workspaceId), taskQueue, args: [input] });
  return replayedAtTheEnd(bed, handle);
}

/** The test file's workflows are replayed (and recorded as fixtures) when it ends. */
function replayedAtTheEnd(bed: Bed, handle: WorkflowHandle): WorkflowHandle {
  if (!bed.started.some((s) => s.handle.workflowId === handle.workflowId)) {
    bed.started.push({ name: expect.getState().currentTestName?.replace(/\W+/g, '-') ?? handle.workflowId, handle });
  }
  return handle;
}

export function queryState(handle: WorkflowHandle): Promise<WorkspaceView> {
  return handle.query(stateQuery);
}

export function waitForState(handle: WorkflowHandle, accept: (view: WorkspaceView) => boolean, what: string, timeoutMs = 20_000): Promise<WorkspaceView> {
  return eventually(() => queryState(handle), accept, { what, timeoutMs });
}

export function actualOf(view: WorkspaceView, integrationId: string): string | undefined {
  return view.integrations.find((i) => i.id === integrationId)?.actual;
}

/** The PATCHes the simulator received for one BGP prefix, as the advertised values in order. */
export function advertisements(bed: Bed, bgpPrefixId: string): boolean[] {
  return bed.sim.faults.requests
    .filter((r) => r.provider === 'cloudflare' && r.method === 'PATCH' && r.path.endsWith(`/bgp/prefixes/${bgpPrefixId}`))
    .map((r) => (r.body as { on_demand: { advertised: boolean } }).on_demand.advertised);
}

export function advertisedAtSimulator(bed: Bed, integration: { stored: LoadedIntegration; bgpPrefixId: string }): boolean {
  const { accountId, prefixId } = integration.stored.settings as { accountId: string; prefixId: string };
  return bed.sim.cloudflare.bgpPrefix(accountId, prefixId, integration.bgpPrefixId)?.on_demand.advertised === true;
}
