/**
 * Determinism guard: replays recorded workspace histories (test/fixtures/histories,
 * written by `npm run record-histories` from the integration tests) against the
 * current workflow code. A change that would break running workflows fails here.
 */
import { Worker } from '@temporalio/worker';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { HISTORY_FIXTURES_DIR, bundleWorkflows, historyFromFixture } from '../support/temporal';

const files = readdirSync(HISTORY_FIXTURES_DIR).filter((f) => f.endsWith('.json'));

test('the recorded histories exist', () => {
  expect(files.length).toBeGreaterThanOrEqual(10);
});

test('every recorded history replays without non-determinism', async () => {
  const bundle = await bundleWorkflows();
  const histories = files.map((file) => ({
    workflowId: file.replace(/\.json$/, ''),
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
});
