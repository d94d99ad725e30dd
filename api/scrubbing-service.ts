/**
 * What the API asks of the workspace workflow: keep it configured (a workspace's first
 * integration starts it, so attacks find it running), deliver incident reports
 * (signal-with-start, so a report still creates it if it is gone), read its state, run manual
 * actions (update-with-start). Never passes a credential to Temporal.
 */
import { randomUUID } from 'node:crypto';
import {
  ActivityFailure,
  Client,
  WithStartWorkflowOperation,
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  WorkflowUpdateStage,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { decide } from '../workflows/decide';
import {
  WORKFLOW_TYPE,
  MAX_REPORTS_PER_SIGNAL,
  activateUpdate,
  incidentReportsSignal,
  incidentResolvedSignal,
  incidentStartedSignal,
  configPublishedSignal,
  stateQuery,
  withdrawUpdate,
  workspaceWorkflowId,
  type Announcement,
  type ConfigPublished,
  type IncidentReport,
  type IntegrationView,
  type WorkspaceConfig,
  type WorkspaceView,
  type WorkspaceWorkflowInput,
} from '../workflows/messages';
import { initialState, workspaceView } from '../workflows/state';
import { WORKSPACE_ID } from '../workflows/search-attributes';
import { integrationTestWorkflowId, type TestResult } from '../workflows/integration-test';
import { HttpError } from './http-errors';

export interface WorkspaceDirectory {
  /** The workspace's non-secret configuration, or undefined when there is no such workspace. */
  configOf(workspaceId: string): Promise<WorkspaceConfig | undefined>;
  /** Its version alone, or undefined when there is no such workspace (absent: read from `configOf`). */
  versionOf?(workspaceId: string): Promise<number | undefined>;
}

const TEST_WORKFLOW_TYPE = 'integrationTest';

export interface ScrubbingServiceOptions {
  client: Client;
  directory: WorkspaceDirectory;
  taskQueue: string;
  manualActionTimeoutMs: number;
  /** Temporal calls other than manual actions give up after this long (503). */
  callTimeoutMs?: number;
  /**
   * Keeps a manual action the workflow accepted (store/manual-holds.ts); never throws (the action
   * runs whatever happens to this record).
   */
  keepManualAction?: (workspaceId: string, integrationId: string, action: 'activate' | 'withdraw') => Promise<void>;
  /** A manual action that failed after the API had answered 202 (for the log). */
  onLateError?: (err: unknown, action: { workspaceId: string; integrationId: string; action: 'activate' | 'withdraw' }) => void;
}

export function createScrubbingService(options: ScrubbingServiceOptions) {
  const { client, directory, taskQueue } = options;
  const callTimeoutMs = options.callTimeoutMs ?? 10_000;
  const within = <T>(ms: number, fn: () => Promise<T>) => client.withDeadline(Date.now() + ms, fn);

  async function startInput(workspaceId: string): Promise<{ workspaceId: string; config: WorkspaceConfig }> {
    const config = await directory.configOf(workspaceId);
    if (!config) throw new HttpError(404, 'not_found', 'workspace not found');
    return { workspaceId, config };
  }

  /** The workspace's configuration version (404 when there is no such workspace): all an incident report needs. */
  async function versionOf(workspaceId: string): Promise<number> {
    const version = directory.versionOf ? await directory.versionOf(workspaceId) : (await directory.configOf(workspaceId))?.version;
    if (version === undefined) throw new HttpError(404, 'not_found', 'workspace not found');
    return version;
  }

  type WorkspaceWorkflow = (input: WorkspaceWorkflowInput) => Promise<void>;

  /** How the workflow shows in the Temporal UI: searchable by workspace, with a summary naming it. */
  const startOptions = (workspaceId: string) => ({
    workflowId: workspaceWorkflowId(workspaceId),
    taskQueue,
    typedSearchAttributes: [{ key: WORKSPACE_ID, value: workspaceId }],
    memo: { workspace: workspaceId },
    staticSummary: `DDoS scrubbing for workspace ${workspaceId}`,
  });
  type Signal = typeof incidentStartedSignal | typeof incidentResolvedSignal | typeof incidentReportsSignal;

  /** Manual actions still being delivered after the API answered 202. */
  const late = new Set<Promise<unknown>>();

  /** Config versions already announced per workspace, so each new version reaches a running workflow once. */
  const sentVersions = new Map<string, number>();

  /**
   * An incident report: a plain signal to the workspace's workflow, which exists from its first
   * integration on (so an attack is a plain signal). Only when Temporal answers that there is no
   * such workflow (never started, or terminated) is it a signal-with-start, whose start input
   * carries only the workspace's ID: a run it starts reads its configuration itself
   * (`config.load`), so no snapshot rides on a report. A plain signal costs the Temporal server
   * about a third less than a signal-with-start with this start's options (1,000 to running
   * workflows on the dev server: 0.9 to 1.1 CPU s against 1.3 to 1.4). A configuration version
   * this process has not announced yet rides on the report (`configVersion`, a few bytes), and the
   * workflow reads it unless it has it: no second signal on the attack path.
   */
  async function signalWorkspace<A extends object>(workspaceId: string, version: number, signal: Signal, payload: A): Promise<void> {
    const announce = (sentVersions.get(workspaceId) ?? -Infinity) < version;
    const args: A & Announcement = announce ? { ...payload, configVersion: version } : payload;
    try {
      await within(callTimeoutMs, () => client.workflow.getHandle(workspaceWorkflowId(workspaceId)).signal(signal.name, args));
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      await within(callTimeoutMs, () =>
        client.workflow.signalWithStart<WorkspaceWorkflow, [A & Announcement]>(WORKFLOW_TYPE, {
          ...startOptions(workspaceId),
          args: [{ workspaceId }],
          signal: signal.name,
          signalArgs: [args],
        }),
      );
    }
    if (announce) sentVersions.set(workspaceId, Math.max(sentVersions.get(workspaceId) ?? -Infinity, version));
  }

  /**
   * Announces the workspace's configuration version to its workflow, which reads it when it has
   * an older one (a version this process has announced is not announced again; a repeat is harmless).
   */
  async function syncConfig(workspaceId: string, version: number, handle = client.workflow.getHandle(workspaceWorkflowId(workspaceId))) {
    if ((sentVersions.get(workspaceId) ?? -Infinity) >= version) return;
    try {
      await within(callTimeoutMs, () => handle.signal(configPublishedSignal, { version }));
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err; // not started yet: it reads the configuration when it starts
    }
    sentVersions.set(workspaceId, version);
  }

  /**
   * Incident reports of one workspace go out one signal at a time: those that arrive while a
   * signal is in flight wait and go together in the next (`incidentReports`, at most
   * MAX_REPORTS_PER_SIGNAL), in arrival order. A lone report is a plain `incidentStarted` or
   * `incidentResolved`. So a flood on one workspace costs Temporal a signal per round trip, not
   * one per report: 100 signals buffered behind a workflow task make the server force-fail it,
   * and a run takes at most 10,000 signals. When a signal fails, every report waiting behind
   * it fails too, so none overtakes it.
   */
  interface Waiting {
    report: IncidentReport;
    resolve: () => void;
    reject: (err: unknown) => void;
  }
  interface Lane {
    waiting: Waiting[];
    sending: boolean;
    /** The configuration version the caller just read, saving a read. */
    version?: number;
  }
  const lanes = new Map<string, Lane>();

  async function sendReports(workspaceId: string, lane: Lane): Promise<void> {
    lane.sending = true;
    try {
      while (lane.waiting.length > 0) {
        const batch = lane.waiting.splice(0, MAX_REPORTS_PER_SIGNAL);
        try {
          const version = lane.version ?? (await versionOf(workspaceId));
          delete lane.version;
          const only = batch.length === 1 ? batch[0]!.report : undefined;
          if (only?.kind === 'started') await signalWorkspace(workspaceId, version, incidentStartedSignal, only.payload);
          else if (only?.kind === 'resolved') await signalWorkspace(workspaceId, version, incidentResolvedSignal, only.payload);
          else await signalWorkspace(workspaceId, version, incidentReportsSignal, { reports: batch.map((w) => w.report) });
        } catch (err) {
          for (const waiting of [...batch, ...lane.waiting.splice(0)]) waiting.reject(err);
          return;
        }
        for (const waiting of batch) waiting.resolve();
      }
    } finally {
      // The loop ends with nothing waiting: sent, or failed together with what waited behind.
      lane.sending = false;
      lanes.delete(workspaceId);
    }
  }

  return {
    /** Resolves once every manual action still being delivered after its 202 has ended (before closing the connection). */
    async settle(): Promise<void> {
      await Promise.allSettled([...late]);
    },

    /** The workspace's configuration; 404 when there is no such workspace. */
    async configOf(workspaceId: string): Promise<WorkspaceConfig> {
      return (await startInput(workspaceId)).config;
    },

    /** The workspace's configuration version alone (one small read); 404 when there is no such workspace. */
    configVersionOf: versionOf,

    /**
     * Delivers one incident report (a signal; a signal-with-start when the workflow does not exist,
     * so the first report creates it, and a resolve that overtakes its start is remembered); reports of the workspace that arrive
     * while a signal is in flight go together in the next one. `version` (the configuration
     * version), when the caller has just read it, saves reading it again.
     */
    async deliverReport(workspaceId: string, report: IncidentReport, version?: number): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        let lane = lanes.get(workspaceId);
        if (!lane) lanes.set(workspaceId, (lane = { waiting: [], sending: false }));
        lane.waiting.push({ report, resolve, reject });
        if (version !== undefined) lane.version = version;
        if (!lane.sending) void sendReports(workspaceId, lane);
      });
    },

    /**
     * Announces the current configuration version to the workspace's workflow (which reads the
     * snapshot itself), starting it from the snapshot when the workspace has integrations (so an
     * attack finds it running and is a plain signal). Returns whether a workflow has it: false
     * only for a workspace without integrations and without a workflow.
     */
    async publishConfig(workspaceId: string): Promise<boolean> {
      const config = await directory.configOf(workspaceId);
      if (!config) return false;
      try {
        if (config.integrations.length > 0) {
          // A new workflow starts from this configuration; a running one is told its version and reads it.
          await within(callTimeoutMs, () =>
            client.workflow.signalWithStart<WorkspaceWorkflow, [ConfigPublished]>(WORKFLOW_TYPE, {
              ...startOptions(workspaceId),
              args: [{ workspaceId, config }],
              signal: configPublishedSignal.name,
              signalArgs: [{ version: config.version }],
            }),
          );
        } else {
          await within(callTimeoutMs, () => client.workflow.getHandle(workspaceWorkflowId(workspaceId)).signal(configPublishedSignal, { version: config.version }));
        }
        sentVersions.set(workspaceId, Math.max(sentVersions.get(workspaceId) ?? -Infinity, config.version));
        return true;
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return false;
        throw err;
      }
    },

    /**
     * Runs the provider Test in the worker (one attempt) and returns its result. A provider
     * that refuses (bad credentials, unknown prefix) or does not answer in time is a failed
     * Test, reported as `ok: false` with the reason: the Test itself worked.
     */
    async testIntegration(workspaceId: string, integrationId: string): Promise<TestResult> {
      const ref = { workspaceId, integrationId };
      const deadline = Date.now() + options.manualActionTimeoutMs;
      const noAnswer = { ok: false, summary: `the provider did not answer within ${Math.round(options.manualActionTimeoutMs / 1000)} s`, warnings: [] };
      const run = client.withDeadline(deadline, () =>
        client.workflow.execute<(r: typeof ref) => Promise<TestResult>>(TEST_WORKFLOW_TYPE, {
          workflowId: integrationTestWorkflowId(ref, randomUUID().slice(0, 8)),
          taskQueue,
          args: [ref],
        }),
      );
      try {
        const result = await byDeadline(run, deadline);
        if (result !== LATE) return result;
        run.catch(() => undefined); // the SDK gives up soon after; the answer is already given
        return noAnswer;
      } catch (err) {
        if (err instanceof WorkflowFailedError) {
          const cause = err.cause instanceof ActivityFailure ? err.cause.cause : err.cause;
          const summary = cause instanceof ApplicationFailure ? `${cause.type ?? 'Error'}: ${cause.message}` : 'the provider test failed';
          return { ok: false, summary, warnings: [] };
        }
        if (timedOut(err, deadline)) return noAnswer;
        throw err;
      }
    },

    async readState(workspaceId: string): Promise<WorkspaceView & { running: boolean }> {
      const { config } = await startInput(workspaceId);
      try {
        const view = await within(callTimeoutMs, () => client.workflow.getHandle(workspaceWorkflowId(workspaceId)).query(stateQuery));
        return { ...view, running: true };
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw await workflowUnresponsive(err, () => within(1_000, () => client.workflowService.getSystemInfo({})));
        // No attack reported yet: the state the workflow would start from.
        const fresh = decide({ ...initialState(workspaceId), rules: true }, { type: 'configChanged', now: Date.now(), config }).state;
        return { ...workspaceView(fresh), running: false };
      }
    },

    /**
     * Runs a manual Activate/Withdraw as an update-with-start. Answers `done` with the
     * integration's state after the provider call, or not done when MANUAL_ACTION_TIMEOUT_SECONDS
     * (counted from the request, whatever took the time) ran out first: `accepted` when the
     * workflow took the action into its history (it runs to its end), else sent but not yet
     * confirmed by a busy or absent worker. After that answer the action keeps being delivered
     * for up to the Temporal call timeout, so "sent" stays true when Temporal is merely slow.
     */
    async runManualAction(workspaceId: string, integrationId: string, action: 'activate' | 'withdraw', meta: { actor?: string; reason?: string; requestId?: string }): Promise<ManualActionOutcome> {
      const deadline = Date.now() + options.manualActionTimeoutMs;
      const workflowId = workspaceWorkflowId(workspaceId);
      const input = await startInput(workspaceId);
      if (!input.config.integrations.some((i) => i.id === integrationId)) {
        throw new HttpError(404, 'not_found', 'integration not found');
      }
      let accepted = false;
      const run = async (): Promise<ManualActionOutcome> => {
        await syncConfig(workspaceId, input.config.version);
        const startWorkflowOperation = new WithStartWorkflowOperation<WorkspaceWorkflow>(WORKFLOW_TYPE, {
          ...startOptions(workspaceId),
          args: [input],
          workflowIdConflictPolicy: 'USE_EXISTING',
        });
        const handle = await within(callTimeoutMs, () =>
          client.workflow.startUpdateWithStart(action === 'activate' ? activateUpdate : withdrawUpdate, {
            args: [{ integrationId, ...meta }],
            startWorkflowOperation,
            waitForStage: WorkflowUpdateStage.ACCEPTED,
          }),
        );
        accepted = true;
        // Kept beside the run's history, so a run after this one (if it ends unexpectedly) keeps a manual Activate.
        await options.keepManualAction?.(workspaceId, integrationId, action);
        return { done: true, view: await client.withDeadline(deadline, () => handle.result()) };
      };
      const running = run();
      try {
        const outcome = await byDeadline(running, deadline);
        if (outcome !== LATE) return outcome;
        // Answered without it; what happens next is in the workflow's history and the state.
        const delivering = running.catch((err) => {
          // Accepted and still running in the workflow: only the wait for its result ran out, as expected.
          if (!(accepted && timedOut(err, deadline))) options.onLateError?.(err, { workspaceId, integrationId, action });
        });
        late.add(delivering);
        void delivering.finally(() => late.delete(delivering));
        return { done: false, accepted, workflowId };
      } catch (err) {
        // The workflow has not taken it yet (a busy or absent worker): it usually runs later.
        if (timedOut(err, deadline)) return { done: false, accepted, workflowId };
        throw manualActionError(err);
      }
    },
  };
}

/** `accepted`: the workflow took the action into its history; otherwise it was sent but not yet confirmed. */
export type ManualActionOutcome = { done: true; view: IntegrationView } | { done: false; accepted: boolean; workflowId: string };

export type ScrubbingService = ReturnType<typeof createScrubbingService>;

export const LATE = Symbol('late');

/**
 * The promise's value, or LATE once the deadline passed, whichever comes first: the API's answer
 * never waits longer than its deadline, even when the SDK takes longer to give up a call.
 */
export async function byDeadline<T>(promise: Promise<T>, deadline: number): Promise<T | typeof LATE> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<typeof LATE>((resolve) => {
    timer = setTimeout(() => resolve(LATE), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The client deadline ran out. The SDK reports it in several shapes (a gRPC DEADLINE_EXCEEDED,
 * possibly as a cause; WorkflowUpdateRPCTimeoutOrCancelledError; once, under load, a plain
 * ServiceError), so an error that arrives at the deadline counts as the deadline whatever its class.
 */
function timedOut(err: unknown, deadline: number): boolean {
  if (Date.now() >= deadline || err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return true;
  for (let cause = err, depth = 0; cause instanceof Error && depth < 5; cause = cause.cause, depth++) {
    if ((cause as { code?: unknown }).code === 4 || /deadline/i.test(cause.message)) return true;
  }
  return false;
}

/**
 * A state query Temporal took but the workflow did not answer (its worker is busy, absent or
 * failing the workflow's tasks) is not Temporal being down: 503 `workflow_unresponsive`.
 * Temporal unreachable (gRPC UNAVAILABLE) and its rate limit keep their own answers.
 */
async function workflowUnresponsive(err: unknown, temporalAnswers: () => Promise<unknown>): Promise<unknown> {
  if (!(err instanceof Error)) return err;
  const code = (err.cause as { code?: unknown } | undefined)?.code ?? (err as { code?: unknown }).code;
  if (code === 14 || code === 8) return err;
  if (err instanceof HttpError) return err;
  // A deadline also runs out while the client cannot reach Temporal at all: ask Temporal itself.
  if (
    !(await temporalAnswers().then(
      () => true,
      () => false,
    ))
  ) {
    return new HttpError(503, 'temporal_unavailable', 'Temporal is unavailable; try again');
  }
  return new HttpError(
    503,
    'workflow_unresponsive',
    "the workspace's workflow did not answer its state query in time (its worker is busy, stopped or failing the workflow's tasks; Temporal itself answered); its history in the Temporal UI shows why",
  );
}

/** A provider that refused or kept failing is the operator's to fix (422); a validator's refusal is a conflict (409). */
function manualActionError(err: unknown): unknown {
  if (!(err instanceof WorkflowUpdateFailedError)) return err;
  const cause = err.cause;
  if (cause instanceof ApplicationFailure && cause.type === 'ManualActionFailed') {
    return new HttpError(422, 'provider_failed', cause.message, cause.details ?? []);
  }
  // The workflow's validator refused it (unknown or removed integration).
  return new HttpError(409, 'rejected', cause?.message ?? 'the workflow rejected the action');
}
