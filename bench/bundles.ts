/**
 * Builds both workflow bundles in the bench process and writes them to files, as
 * `npm run build` does for production (WORKFLOW_BUNDLE_PATH): the worker process then
 * loads code and never runs the bundler, so its memory is the worker's alone.
 */
import { bundleWorkflowCode } from '@temporalio/worker';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORKFLOW_BUNDLE_OPTIONS } from '../worker/workflow-bundle';

const noop = () => undefined;
const quiet = { trace: noop, debug: noop, info: noop, warn: noop, error: noop, log: noop };

export async function writeWorkflowBundles(dir: string): Promise<{ scrubbing: string; baseline: string }> {
  // Each as its worker ships it: ours with the workflow modules preloaded (worker/workflow-bundle.ts).
  const sources = { scrubbing: WORKFLOW_BUNDLE_OPTIONS, baseline: { workflowsPath: require.resolve('./baseline/workflow') } };
  const [scrubbing, baseline] = await Promise.all(
    Object.entries(sources).map(async ([name, options]) => {
      const { code } = await bundleWorkflowCode({ ...options, logger: quiet });
      const path = join(dir, `${name}-workflows.js`);
      writeFileSync(path, code);
      return path;
    }),
  );
  return { scrubbing: scrubbing as string, baseline: baseline as string };
}
