/**
 * `workspaceScrubbingV2`: one long-lived workflow per workspace. It holds the run's state and
 * its handlers; the rules decide (decide.ts), the executor carries out their commands
 * (executor.ts). It sleeps until the earliest deadline the state names and continues as new
 * when Temporal suggests it. Deterministic: it imports only @temporalio/workflow and pure
 * modules, and never sees a credential.
 *
 * `workspaceScrubbing` is the same workflow for runs begun before V2: it asks each patch
 * (patches.ts), so their histories replay, and it continues as new into V2.
 */
import * as wf from '@temporalio/workflow';
import { configReader } from './config-reader';
import { createExecutor } from './executor';
import { ManualOutcomes, manualActions } from './manual-actions';
import {
  WORKFLOW_TYPE,
  WorkspaceWorkflowInput,
  activateUpdate,
  configPublishedSignal,
  incidentReportsSignal,
  incidentResolvedSignal,
  incidentStartedSignal,
  integrationsChangedSignal,
  stateQuery,
  withdrawUpdate,
} from './messages';
import { calmDeadlines } from './calm-gate';
import { RECOVERY_PATCH, TAKEN_BY_V2, type PatchCheck } from './patches';
import { DEFAULT_OPERATION_RETRY, activityProxies } from './proxies';
import { recoverIncidents } from './recovery';
import { startRun, type Run } from './run';
import { nextDeadline, packState, readsDropped, workspaceView, type IncidentStart, type WorkspaceState } from './state';
import { isIncidentReportBatch, isIncidentResolved, isIncidentStart, isWorkspaceConfig } from './validate';

/** Every workspace run that starts now (`WORKFLOW_TYPE`): it has every patch of patches.ts without recording one. */
export async function workspaceScrubbingV2(input: WorkspaceWorkflowInput): Promise<void> {
  return workspaceRun(input, (patchId) => TAKEN_BY_V2.includes(patchId) || wf.patched(patchId));
}

/** A run begun before V2 (`LEGACY_WORKFLOW_TYPE`): it asks each patch as its history did; its next run is a V2 run. */
export async function workspaceScrubbing(input: WorkspaceWorkflowInput): Promise<void> {
  return workspaceRun(input, (patchId) => wf.patched(patchId));
}

async function workspaceRun(input: WorkspaceWorkflowInput, patched: PatchCheck): Promise<void> {
  const retry = { ...DEFAULT_OPERATION_RETRY, ...input.retry };
  const proxies = activityProxies(retry, patched);
  const run = startRun(input, patched, (command) => executor.dispatch(command));
  const outcomes = new ManualOutcomes();
  const executor = createExecutor(run, proxies, retry, outcomes);
  const manual = manualActions(run, executor, outcomes);
  const config = configReader(run, proxies.local);

  // The starting configuration first: registering a handler delivers the messages buffered
  // for it at once, and an update's validator must already know the integrations.
  if (!input.carried && isWorkspaceConfig(input.config)) run.apply({ type: 'configChanged', now: Date.now(), config: input.config });
  // Then the handlers, before the first await, so no message of the first workflow task is missed.
  registerHandlers(run, config, manual);

  // A run started without a configuration reads it first (an incident that arrives meanwhile is kept).
  if (!run.configKnown) void config.load();
  let recovering = false;
  if (!input.carried && patched(RECOVERY_PATCH)) {
    recovering = true;
    void recoverIncidents(run, proxies.local, (entry) => executor.audit(entry)).finally(() => (recovering = false));
  }

  const { inFlight } = executor;
  /** History length when continuing as new first became possible but background work was still running. */
  let dueAt: number | undefined;
  const readyToContinue = (): boolean => {
    if (!continueAsNewDue(input) || inFlight.operations > 0 || recovering || config.loading || !wf.allHandlersFinished()) return false;
    if (inFlight.unfinished.size === 0 && inFlight.reads === 0) return true;
    // A channel that keeps failing (or a steady stream of events) must not keep the history growing:
    // after a quarter more events (at least 50) without a quiet moment, continue anyway. Status
    // reads are dropped (the next run reads again); unfinished background tasks are carried over.
    if (run.rules.continuesOnlyWhenQuiet) return false;
    const length = wf.workflowInfo().historyLength;
    dueAt ??= length;
    return length >= dueAt + Math.max(50, Math.floor(dueAt / 4));
  };

  // Background work the previous run had not finished.
  for (const task of input.bookkeeping ?? []) executor.inBackground(task);

  // Sleep until the earliest deadline (hold-down, provider window, reconciliation), the deadline
  // set changes, or it is time to continue as new.
  while (!readyToContinue()) {
    const deadline = nextDeadline(run.state);
    const wake = () => nextDeadline(run.state) !== deadline || readyToContinue();
    if (deadline === null) {
      await wf.condition(wake);
    } else if (!(await wf.condition(wake, Math.max(1, deadline - Date.now()), { summary: timerSummary(run.state, deadline) }))) {
      run.apply({ type: 'timerFired', now: Date.now() });
    }
  }
  // The next run reads only the notifications flag from its input's configuration (the rest comes
  // from `carried`), so the input carries no integration twice.
  const { bookkeeping: _finished, ...next } = input;
  const tasks = [...inFlight.unfinished.values()];
  // Either type's next run is a V2 run (Core compares only a continue-as-new's command type on replay).
  await wf.makeContinueAsNewFunc<typeof workspaceScrubbingV2>({ workflowType: WORKFLOW_TYPE })({
    ...next,
    config: { version: run.state.configVersion, holdDownSeconds: run.state.holdDownSeconds, integrations: [], notifications: run.notificationsOn },
    carried: packState(readsDropped(run.state)),
    ...(tasks.length > 0 ? { bookkeeping: tasks } : {}),
  });
}

/** Signals feed the rules; the query reads the state; updates are the manual actions. */
function registerHandlers(run: Run, config: ReturnType<typeof configReader>, manual: ReturnType<typeof manualActions>): void {
  /** A configuration version a report carries (messages.ts `Announcement`): read unless the run has it. */
  function announced(version: unknown): void {
    if (typeof version === 'number' && Number.isFinite(version)) config.published(version);
  }
  function incidentStarted(incident: unknown): void {
    if (!isIncidentStart(incident)) return void wf.log.warn('ignored malformed incidentStarted signal');
    // The API's request id is for log correlation only, the version for the configuration: neither is part of the incident.
    const { requestId, configVersion, ...started } = incident as IncidentStart & { requestId?: unknown; configVersion?: unknown };
    wf.log.info('incident started', { incidentId: started.incidentId, ...(typeof requestId === 'string' ? { requestId } : {}) });
    run.apply({ type: 'incidentStarted', now: Date.now(), incident: started });
    announced(configVersion);
  }
  function incidentResolved(resolved: unknown): void {
    if (!isIncidentResolved(resolved)) return void wf.log.warn('ignored malformed incidentResolved signal');
    run.apply({ type: 'incidentResolved', now: Date.now(), incidentId: resolved.incidentId });
    announced((resolved as { configVersion?: unknown }).configVersion);
  }
  wf.setHandler(incidentStartedSignal, incidentStarted);
  wf.setHandler(incidentResolvedSignal, incidentResolved);
  wf.setHandler(incidentReportsSignal, (batch) => {
    if (!isIncidentReportBatch(batch)) return void wf.log.warn('ignored malformed incidentReports signal');
    for (const report of batch.reports as unknown[]) {
      const { kind, payload } = (typeof report === 'object' && report !== null ? report : {}) as { kind?: unknown; payload?: unknown };
      if (kind === 'started') incidentStarted(payload);
      else if (kind === 'resolved') incidentResolved(payload);
      else wf.log.warn('ignored malformed incident report');
    }
    announced(batch.configVersion);
  });
  wf.setHandler(integrationsChangedSignal, (snapshot) => {
    if (isWorkspaceConfig(snapshot)) config.received(snapshot);
    else wf.log.warn('ignored malformed integrationsChanged signal');
  });
  wf.setHandler(configPublishedSignal, (published) => {
    if (typeof published?.version !== 'number' || !Number.isFinite(published.version)) return void wf.log.warn('ignored malformed configPublished signal');
    config.published(published.version);
  });
  wf.setHandler(stateQuery, () => workspaceView(run.state));
  wf.setHandler(activateUpdate, (request) => manual.handle(request, 'activate'), { validator: (request) => manual.validate(request, 'activate') });
  wf.setHandler(withdrawUpdate, (request) => manual.handle(request, 'withdraw'), { validator: (request) => manual.validate(request, 'withdraw') });
}

function continueAsNewDue(input: WorkspaceWorkflowInput): boolean {
  const info = wf.workflowInfo();
  const limit = input.continueAsNewAfterEvents;
  return info.continueAsNewSuggested || (limit !== undefined && info.historyLength >= limit);
}

/** What the timer in the Temporal UI waits for. */
function timerSummary(state: WorkspaceState, deadline: number): string {
  const integrations = Object.values(state.integrations);
  if (integrations.some((i) => i.holdDownUntil === deadline)) return 'hold-down';
  if (integrations.some((i) => i.waitingUntil === deadline)) return 'provider re-activation window';
  for (const integration of integrations) {
    const calm = calmDeadlines(state, integration).find((d) => d.at === deadline);
    if (calm) return calm.waitsFor;
  }
  if (state.nextTelemetryAt === deadline) {
    const held = integrations.find((i) => i.telemetry?.held);
    return held ? `provider telemetry: withdrawal held, ${held.telemetry!.held!.reason}` : 'provider telemetry reading';
  }
  return 'reconciliation';
}
