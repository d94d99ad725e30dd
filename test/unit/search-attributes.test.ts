/** What `ScrubbingState` says for a workspace's integrations, before and after the settled-state patch. */
import { scrubbingStateOf, settledScrubbingStateOf } from '../../workflows/search-attributes';
import { initialState, type WorkspaceState } from '../../workflows/state';

function stateWith(...actual: string[]): WorkspaceState {
  const state = initialState('ws');
  actual.forEach((value, i) => {
    state.integrations[`i${i}`] = { actual: value } as unknown as WorkspaceState['integrations'][string];
  });
  return state;
}

test.each([
  [[], 'idle', 'idle'],
  [['inactive'], 'idle', 'idle'],
  [['activating'], 'idle', 'diverting'],
  [['active'], 'diverted', 'diverted'],
  [['withdrawing'], 'diverted', 'withdrawing'],
  [['active', 'activating'], 'diverted', 'diverting'],
  [['inactive', 'withdrawing'], 'diverted', 'withdrawing'],
  [['active', 'failed'], 'failed', 'failed'],
])('integrations %j: %s (runs before the patch: %s)', (actual, settled, before) => {
  expect(settledScrubbingStateOf(stateWith(...actual))).toBe(settled);
  expect(scrubbingStateOf(stateWith(...actual))).toBe(before);
});
