/**
 * Writes the workflow bundle next to the compiled code, dist/workflow-bundle.js (run from
 * dist/scripts by `npm run build`), so workers start without bundling: WORKFLOW_BUNDLE_PATH.
 */
import { bundleWorkflowCode } from '@temporalio/worker';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { WORKFLOW_BUNDLE_OPTIONS } from '../worker/workflow-bundle';

async function main(): Promise<void> {
  const { code } = await bundleWorkflowCode(WORKFLOW_BUNDLE_OPTIONS);
  const out = resolve(__dirname, '..');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'workflow-bundle.js'), code);
  process.stdout.write(`wrote ${join(out, 'workflow-bundle.js')} (${code.length} bytes)\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bundling failed: ${String(err)}\n`);
  process.exit(1);
});
