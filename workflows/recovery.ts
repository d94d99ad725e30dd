/**
 * A run without a predecessor (the first, or one after a run was terminated or failed) learns
 * every incident still active from the incident record; when a run came before it, it also
 * reads every provider's state instead of assuming nothing is diverted. An integration an
 * operator activated by hand (and has not withdrawn) is held diverted again.
 */
import * as wf from '@temporalio/workflow';
import { RECOVER_ACTIVITY } from './activity-names';
import { messageOf, type Executor } from './executor';
import type { ActivityProxies } from './proxies';
import type { Run } from './run';
import { firstIncidents } from './state';

/** Recovery reads at most this many pages of the incident record (activities/RECOVERY_PAGE each). */
const MAX_RECOVERY_PAGES = 10;

export async function recoverIncidents(run: Run, local: ActivityProxies['local'], audit: Executor['audit']): Promise<void> {
  // What it finds is applied to the integrations, so a run that reads its configuration first
  // waits for it (else a diversion found would have no integration to be adopted by).
  if (!run.configKnown) await wf.condition(() => run.configKnown);
  let earlier = false;
  let after: string | undefined;
  // Manual holds only where one can apply: a workspace without integrations (a new one, most often) has none.
  const manualHolds = Object.keys(run.state.integrations).length > 0;
  try {
    for (let page = 0; page < MAX_RECOVERY_PAGES; page++) {
      const known = firstIncidents(run.state, 100).map((incident) => incident.incidentId);
      const found = await local[RECOVER_ACTIVITY]({ workspaceId: run.state.workspaceId, known, ...(after === undefined ? {} : { after }), ...(manualHolds ? { manualHolds } : {}) });
      earlier ||= found.earlier;
      after = found.next;
      const last = after === undefined || page === MAX_RECOVERY_PAGES - 1;
      if (found.active.length > 0 || (last && earlier)) {
        run.apply({ type: 'incidentsRecovered', now: Date.now(), incidents: found.active, readProviders: last && earlier });
      }
      if (found.active.length > 0) wf.log.info('incidents recovered from the incident record', { count: found.active.length });
      restoreManualActivations(run, found.manualActivations ?? [], audit); // they come with the first page
      if (last) break;
    }
  } catch (err) {
    wf.log.warn('the incident record could not be read; this run knows only the incidents reported to it', { error: messageOf(err) });
  }
}

/** Integrations whose last manual action was an Activate (store/manual-holds.ts): held diverted, as the operator asked. */
function restoreManualActivations(run: Run, integrationIds: string[], audit: Executor['audit']): void {
  for (const integrationId of integrationIds) {
    const integration = run.state.integrations[integrationId];
    // Not in the configuration, or being removed: nothing to hold. A manual action this run already took is newer.
    if (!integration || integration.removed || integration.manual) continue;
    run.apply({ type: 'manualAction', now: Date.now(), integrationId, action: 'activate' });
    wf.log.info('manual Activate restored', { integrationId });
    audit({
      actor: 'workflow',
      action: 'manual.restored',
      integration: integrationId,
      outcome: 'ok',
      detail: 'an operator activated it by hand before this run: held diverted until an operator withdraws it',
    });
  }
}
