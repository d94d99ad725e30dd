/**
 * A workspace run: its state and the one way the state changes. An event goes to the rules of the
 * run's generation (decide.ts; first-generation.ts for a run begun before the provider policy),
 * their commands go to the executor, and the Temporal UI's search attributes follow the state.
 */
import * as wf from '@temporalio/workflow';
import { PROVIDER_AWARE_RULES, type Command, type RuleSet, type WorkspaceEvent } from './decide';
import { FIRST_GENERATION_RULES } from './first-generation';
import type { WorkspaceWorkflowInput } from './messages';
import {
  AUDIT_TRAIL_PATCH,
  BOUNDED_NOTIFICATIONS_PATCH,
  NOTIFICATIONS_PATCH,
  OPERATION_AUDIT_PATCH,
  PROVIDER_POLICY_PATCH,
  SEARCH_ATTRIBUTES_PATCH,
  SETTLED_SCRUBBING_STATE_PATCH,
  type PatchCheck,
} from './patches';
import { SCRUBBING_STATE, WORKSPACE_ID, scrubbingStateOf, settledScrubbingStateOf, type ScrubbingState } from './search-attributes';
import { initialState, unpackState, type WorkspaceState } from './state';

export interface Run {
  state: WorkspaceState;
  /** The rules of the run's generation. */
  readonly rules: RuleSet;
  /** Whether the run has a configuration (false only while a run started without one reads it). */
  configKnown: boolean;
  /** Whether the workspace has notification channels, from the newest configuration seen. */
  notificationsOn: boolean;
  /** Whether notifications in flight are bounded (BOUNDED_NOTIFICATIONS_PATCH, asked as the run starts). */
  readonly boundedNotifications: boolean;
  /** Whether the run has a patch (patches.ts): asks `wf.patched` in a `workspaceScrubbing` run. */
  readonly patched: PatchCheck;
  /** Decides on one event and carries out the commands. */
  apply(event: WorkspaceEvent): void;
}

/** Patches the executor asks lazily (executor.ts); runs with SETTLED_SCRUBBING_STATE_PATCH ask them as they start. */
const EXECUTOR_PATCHES = [AUDIT_TRAIL_PATCH, NOTIFICATIONS_PATCH, OPERATION_AUDIT_PATCH];

export function startRun(input: WorkspaceWorkflowInput, patched: PatchCheck, carryOut: (command: Command) => void): Run {
  let state: WorkspaceState = input.carried ? unpackState(input.carried) : initialState(input.workspaceId);
  // Every run that starts with the patch (and every run after a continue-as-new) follows the provider-aware rules.
  if (patched(PROVIDER_POLICY_PATCH) && !state.rules) state = { ...state, rules: true };
  const rules = state.rules ? PROVIDER_AWARE_RULES : FIRST_GENERATION_RULES;
  // Asked once, as the run starts (never on the attack path); runs recorded before it keep publishing operations in flight.
  const settled = patched(SETTLED_SCRUBBING_STATE_PATCH);
  const stateOf = settled ? settledScrubbingStateOf : scrubbingStateOf;
  // The patches the executor asks where it first needs them are asked here too (patches.ts): each first
  // ask records a marker and a `TemporalChangeVersion` upsert, which then never land in a run's first diversion.
  if (settled) for (const patch of EXECUTOR_PATCHES) patched(patch);
  // Asked as every run starts: a run recorded before it started without it, and keeps notifications unbounded.
  const boundedNotifications = patched(BOUNDED_NOTIFICATIONS_PATCH);
  let published: ScrubbingState | undefined;

  /** Keeps `ScrubbingState` (and `WorkspaceId`) current for the UI's list, upserting only on change (search-attributes.ts). */
  function publishScrubbingState(): void {
    const current = stateOf(run.state);
    if (current === published || !patched(SEARCH_ATTRIBUTES_PATCH)) return;
    wf.upsertSearchAttributes([...(published === undefined ? [{ key: WORKSPACE_ID, value: run.state.workspaceId }] : []), { key: SCRUBBING_STATE, value: current }]);
    published = current;
  }

  const run: Run = {
    state,
    rules,
    configKnown: input.carried !== undefined || input.config !== undefined,
    notificationsOn: input.config?.notifications === true,
    boundedNotifications,
    patched,
    apply(event) {
      const decision = rules.decide(run.state, event);
      run.state = decision.state;
      decision.commands.forEach(carryOut);
      publishScrubbingState();
    },
  };
  return run;
}
