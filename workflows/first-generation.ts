/**
 * Frozen: the rules of runs that began before the provider policy (patch `provider-policy-v1`,
 * 2026-11): the same events (decide.ts, `applyEvent`), but the hold-down is the workspace's own,
 * with no flap damping, provider window, dry run or reconciliation. Such a run keeps deciding as
 * it did, so its history replays; at its next continue-as-new it moves onto the provider-aware
 * rules (the workflow marks every run that starts with the patch).
 *
 * Never change this module. Delete it, with the fixture generations recorded before the patch
 * (test/fixtures/histories/before-{audit-trail,search-attributes,notifications,provider-policy}),
 * once no such run is open: README, Upgrading.
 */
import { applyEvent, forgetWhenWithdrawn, holdDownCommands, isTriggered, operationDue, setDesired, startOperation, type Command, type Decision, type RuleSet, type WorkspaceEvent } from './decide';
import type { IntegrationState, Operation, WorkspaceState } from './state';

/** Such a run continued as new only at a quiet moment, so it still does. */
export const FIRST_GENERATION_RULES: RuleSet = { decide: decideFirstGenerationInPlace, continuesOnlyWhenQuiet: true };

/** `decideInPlace` of a run that began before the provider policy. */
export function decideFirstGenerationInPlace(state: WorkspaceState, event: WorkspaceEvent): Decision {
  const commands: Command[] = [];
  applyEvent(state, event, commands);
  for (const integration of Object.values(state.integrations)) reconcileIntegration(state, integration, event.now, commands);
  return { state, commands };
}

function reconcileIntegration(state: WorkspaceState, integration: IntegrationState, now: number, commands: Command[]): void {
  const previousHoldDown = integration.holdDownUntil;
  if (integration.removed || integration.manual === 'withdraw') {
    setDesired(integration, 'inactive');
  } else if (integration.manual === 'activate' || isTriggered(state, integration)) {
    setDesired(integration, 'active');
  } else if (integration.desired === 'active') {
    if (integration.holdDownUntil === null && state.holdDownSeconds > 0) {
      integration.holdDownUntil = now + state.holdDownSeconds * 1000;
    } else if (integration.holdDownUntil === null || now >= integration.holdDownUntil) {
      setDesired(integration, 'inactive');
    }
  }
  holdDownCommands(integration, previousHoldDown, commands);
  if (integration.inFlight === null && operationDue(integration)) {
    const op: Operation = integration.desired === 'active' ? 'activate' : 'withdraw';
    startOperation(integration, op, now, false, commands);
  }
  forgetWhenWithdrawn(state, integration, commands);
}
