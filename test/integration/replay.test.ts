/**
 * Determinism guard: replays recorded workspace histories (test/fixtures/histories,
 * written by `npm run record-histories` from the integration tests) against the
 * current workflow code. A change that would break running workflows fails here.
 */
import { Worker } from '@temporalio/worker';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { HISTORY_FIXTURES_DIR, bundleWorkflows, historyFromFixture } from '../support/temporal';
import { LEGACY_WORKFLOW_TYPE, WORKFLOW_TYPE } from '../../workflows/messages';

// Every recorded set, the current one and those recorded before versioned (patched) changes.
const files = readdirSync(HISTORY_FIXTURES_DIR, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json'));

test('the recorded histories exist, from before and after the audit-trail patch', () => {
  expect(files.filter((f) => f.startsWith('before-audit-trail')).length).toBeGreaterThanOrEqual(10);
  expect(files.filter((f) => f.startsWith('current')).length).toBeGreaterThanOrEqual(10);
});

test('both workflow types are recorded: runs begun before V2, V2 runs, and an old-type run that continued as new into V2', () => {
  const typeOf = (file: string) => historyFromFixture(readFileSync(join(HISTORY_FIXTURES_DIR, file), 'utf8')).events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name;
  const types = new Map(files.map((f) => [f, typeOf(f)]));
  expect(files.filter((f) => f.startsWith('before-') && types.get(f) === LEGACY_WORKFLOW_TYPE).length).toBeGreaterThanOrEqual(100);
  expect(files.filter((f) => f.startsWith('current') && types.get(f) === WORKFLOW_TYPE).length).toBeGreaterThanOrEqual(40);
  const legacyThenV2 = files.filter((f) => f.startsWith('current') && f.endsWith('-run0.json') && types.get(f) === LEGACY_WORKFLOW_TYPE);
  expect(legacyThenV2).toHaveLength(1);
  expect(types.get(legacyThenV2[0]!.replace(/-run0\.json$/, '-run1.json'))).toBe(WORKFLOW_TYPE);
});

test('every recorded history replays without non-determinism, all in one worker whose workflows share the preloaded workflow modules', async () => {
  const bundle = await bundleWorkflows();
  // The bundle preloads the workflow modules (worker/workflow-bundle.ts), so these replays run one after
  // another on one frozen instance of them: state one workflow left in a module would break a later one.
  expect(bundle.code).toMatch(/exports\.preloadModules = function preloadModules\(\) \{\s*__webpack_require__\([^)]*"\.\/workflows\/index\.ts"\);/);
  const histories = files.map((file) => ({
    workflowId: file.replace(/\.json$/, '').replace(/[\\/]/g, ':'),
    history: historyFromFixture(readFileSync(join(HISTORY_FIXTURES_DIR, file), 'utf8')),
  }));
  const failures: string[] = [];
  let replayed = 0;
  for await (const result of Worker.runReplayHistories({ workflowBundle: bundle, replayName: 'fixtures' }, histories)) {
    replayed++;
    if (result.error) failures.push(`${result.workflowId}: ${String(result.error)}`);
  }
  expect(failures).toEqual([]);
  expect(replayed).toBe(files.length);
}, 180_000); // thirteen generations, about 530 histories: seconds alone, over a minute once under the whole suite
