/**
 * Search attributes that let operators filter workspace workflows in the Temporal UI:
 * `WorkspaceId` and `ScrubbingState`. Pure: shared by the workflow (to upsert) and the
 * worker (to register them on the namespace at start).
 */
import { SearchAttributeType, defineSearchAttributeKey } from '@temporalio/common';
import type { WorkspaceState } from './state';

export const WORKSPACE_ID = defineSearchAttributeKey('WorkspaceId', SearchAttributeType.KEYWORD);
export const SCRUBBING_STATE = defineSearchAttributeKey('ScrubbingState', SearchAttributeType.KEYWORD);
export const SEARCH_ATTRIBUTE_KEYS = [WORKSPACE_ID, SCRUBBING_STATE];

export type ScrubbingState = 'idle' | 'diverting' | 'diverted' | 'withdrawing' | 'failed';

/**
 * One word for the whole workspace, as runs publish it since `SETTLED_SCRUBBING_STATE_PATCH`: what
 * the provider shows, most urgent first: failed > diverted > idle. A diversion in flight is still
 * `idle`, a withdrawal in flight still `diverted`, so each operation changes it once (an operation in
 * flight shows in the state query and the console).
 */
export function settledScrubbingStateOf(state: WorkspaceState): ScrubbingState {
  const actual = Object.values(state.integrations).map((i) => i.actual);
  if (actual.includes('failed')) return 'failed';
  if (actual.includes('active') || actual.includes('withdrawing')) return 'diverted';
  return 'idle';
}

/** As runs recorded before `SETTLED_SCRUBBING_STATE_PATCH` published it, most urgent first: failed > diverting > withdrawing > diverted > idle. */
export function scrubbingStateOf(state: WorkspaceState): ScrubbingState {
  const actual = Object.values(state.integrations).map((i) => i.actual);
  if (actual.includes('failed')) return 'failed';
  if (actual.includes('activating')) return 'diverting';
  if (actual.includes('withdrawing')) return 'withdrawing';
  if (actual.includes('active')) return 'diverted';
  return 'idle';
}
