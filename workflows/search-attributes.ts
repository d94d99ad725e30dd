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

/** One word for the whole workspace, most urgent first: failed > diverting > withdrawing > diverted > idle. */
export function scrubbingStateOf(state: WorkspaceState): ScrubbingState {
  const actual = Object.values(state.integrations).map((i) => i.actual);
  if (actual.includes('failed')) return 'failed';
  if (actual.includes('activating')) return 'diverting';
  if (actual.includes('withdrawing')) return 'withdrawing';
  if (actual.includes('active')) return 'diverted';
  return 'idle';
}
