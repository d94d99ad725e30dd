/**
 * The bare baseline's contract: its task queue, workflow type and signal, shared by its
 * workflow, its worker and its HTTP endpoint. Kept apart from the product's messages so
 * the baseline never borrows any of the product's machinery.
 */
import { defineSignal } from '@temporalio/workflow';

export const BASELINE_TASK_QUEUE = 'bench-baseline';
export const BASELINE_WORKFLOW_TYPE = 'bareDivert';

/** Where the baseline's PATCH goes: a simulated Cloudflare BGP prefix (no credential: the activity holds it). */
export interface BaselinePrefix {
  accountId: string;
  prefixId: string;
  bgpPrefixId: string;
}

/** `true` diverts (advertise), `false` withdraws. */
export const baselineAdvertiseSignal = defineSignal<[boolean]>('advertise');

export function baselineWorkflowId(workspaceId: string): string {
  return `baseline-${workspaceId}`;
}
