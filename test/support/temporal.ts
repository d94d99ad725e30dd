/**
 * A real Temporal dev server per test file (the CLI from .tools/, started by
 * @temporalio/testing with an existing-path executable), the workflow bundle
 * built once per file, and replay of every history a file produced.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { WorkflowHandle } from '@temporalio/client';
import type { History } from '@temporalio/common/lib/proto-utils';
import { temporal } from '@temporalio/proto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORKFLOW_BUNDLE_OPTIONS } from '../../worker/workflow-bundle';
import { SEARCH_ATTRIBUTE_KEYS } from '../../workflows/search-attributes';
import { REPO_ROOT, temporalCliPath } from './tools';

export { everyHistoryText } from '../../scripts/history-text';

export const HISTORY_FIXTURES_DIR = join(REPO_ROOT, 'test', 'fixtures', 'histories');
/** `npm run record-histories` writes here; older sets stay beside it, so old histories keep replaying. */
export const CURRENT_HISTORIES_DIR = join(HISTORY_FIXTURES_DIR, 'current');
const MAX_FIXTURE_BYTES = 200_000;

/** The dev server's flags that register the workflow's search attributes. */
export const SEARCH_ATTRIBUTE_ARGS = SEARCH_ATTRIBUTE_KEYS.flatMap((key) => ['--search-attribute', `${key.name}=Keyword`]);

export async function startTemporal(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalCliPath() },
      ip: '127.0.0.1',
      log: { format: 'pretty', level: 'warn' },
      extraArgs: SEARCH_ATTRIBUTE_ARGS,
    },
  });
}

export function bundleWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ ...WORKFLOW_BUNDLE_OPTIONS, logger: quietLogger });
}

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: noop, log: noop };

/**
 * Fixtures are the protobuf object form (`toJSON()`), read back with `History.fromObject`:
 * the SDK's proto3-JSON helpers trip over the two protobufjs copies npm installs.
 */
export function historyFromFixture(json: string): History {
  return temporal.api.history.v1.History.fromObject(JSON.parse(json) as Record<string, unknown>);
}

/**
 * Replays the histories of the given workflows (every run, continued-as-new ones included)
 * against the current bundle, and with RECORD_HISTORIES=1 saves them as fixtures
 * for test/integration/replay.test.ts.
 */
export async function replayAndRecord(env: TestWorkflowEnvironment, bundle: WorkflowBundleWithSourceMap, handles: { name: string; handle: WorkflowHandle }[]): Promise<void> {
  const histories = [];
  for (const { name, handle } of handles) {
    const runs = await allRunIds(env, handle.workflowId);
    for (const [index, runId] of runs.entries()) {
      const history = await env.client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
      histories.push({ workflowId: `${name}-run${index}`, history });
    }
  }
  for await (const result of Worker.runReplayHistories({ workflowBundle: bundle, replayName: 'integration' }, histories)) {
    if (result.error) throw new Error(`replay of ${result.workflowId} failed: ${String(result.error)}`);
  }
  if (process.env.RECORD_HISTORIES === '1') {
    mkdirSync(CURRENT_HISTORIES_DIR, { recursive: true });
    for (const { workflowId, history } of histories) {
      const text = JSON.stringify(history);
      // Fixtures stay small: a flood's history (the carpet-bombing test) is replayed here but not kept.
      if (text.length <= MAX_FIXTURE_BYTES) writeFileSync(join(CURRENT_HISTORIES_DIR, `${workflowId}.json`), text);
    }
  }
}

/** Every run of a workflow, oldest first, by following continue-as-new links back from the latest run. */
async function allRunIds(env: TestWorkflowEnvironment, workflowId: string): Promise<string[]> {
  const runs: string[] = [];
  let runId: string | undefined = (await env.client.workflow.getHandle(workflowId).describe()).runId;
  while (runId) {
    runs.unshift(runId);
    const history: History = await env.client.workflow.getHandle(workflowId, runId).fetchHistory();
    runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
  }
  return runs;
}
