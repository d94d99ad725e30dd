/**
 * Builds both workflow bundles in the bench process and writes them to files, as
 * `npm run build` does for production (WORKFLOW_BUNDLE_PATH): the worker process then
 * loads code and never runs the bundler, so its memory is the worker's alone.
 */
import { bundleWorkflowCode } from '@temporalio/worker';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORKFLOWS_PATH } from '../worker/create-worker';

const noop = () => undefined;
const quiet = { trace: noop, debug: noop, info: noop, warn: noop, error: noop, log: noop };

export async function writeWorkflowBundles(dir: string): Promise<{ scrubbing: string; baseline: string }> {
  const sources = { scrubbing: WORKFLOWS_PATH, baseline: require.resolve('./baseline/workflow') };
  const [scrubbing, baseline] = await Promise.all(
    Object.entries(sources).map(async ([name, workflowsPath]) => {
      const { code } = await bundleWorkflowCode({ workflowsPath, logger: quiet });
      const path = join(dir, `${name}-workflows.js`);
      writeFileSync(path, code);
      return path;
    }),
  );
  return { scrubbing: scrubbing as string, baseline: baseline as string };
}
