/**
 * Manual Activate and Withdraw (the `activate` and `withdraw` updates). The rules number each
 * action (`manualTickets`) and the operation that starts after it records the last number it
 * serves (`inFlight.manualUpTo`); an action waits on state for the first outcome that covers
 * its own number, whatever else is in flight, and answers with that outcome.
 */
import * as wf from '@temporalio/workflow';
import type { Executor } from './executor';
import { messageOf } from './executor';
import type { ManualActionRequest } from './messages';
import type { Run } from './run';
import { integrationView, type IntegrationView, type Operation, type OperationError } from './state';
import { isManualActionRequest } from './validate';

interface Outcome {
  upTo: number;
  op: Operation;
  error: OperationError | null;
}

/** Per integration, the outcomes of operations that served manual actions, oldest first; kept only while an action waits. */
export class ManualOutcomes {
  private readonly outcomes = new Map<string, Outcome[]>();
  private readonly waiting = new Map<string, Set<number>>();

  record(integrationId: string, upTo: number | undefined, op: Operation, error: OperationError | null): void {
    if (upTo === undefined || !this.waiting.get(integrationId)?.size) return;
    this.outcomes.set(integrationId, [...(this.outcomes.get(integrationId) ?? []), { upTo, op, error }]);
  }

  served(integrationId: string, ticket: number): Outcome | undefined {
    return this.outcomes.get(integrationId)?.find((o) => o.upTo >= ticket);
  }

  wait(integrationId: string, ticket: number): void {
    this.waiting.set(integrationId, (this.waiting.get(integrationId) ?? new Set<number>()).add(ticket));
  }

  /** Outcomes no waiting action needs are dropped (each waits for the first that covers it). */
  done(integrationId: string, ticket: number): void {
    const waiting = this.waiting.get(integrationId) ?? new Set<number>();
    waiting.delete(ticket);
    const lowest = Math.min(...waiting);
    const kept = (this.outcomes.get(integrationId) ?? []).filter((o) => o.upTo >= lowest);
    if (waiting.size === 0 || kept.length === 0) this.outcomes.delete(integrationId);
    else this.outcomes.set(integrationId, kept);
    if (waiting.size === 0) this.waiting.delete(integrationId);
  }
}

export function manualActions(run: Run, executor: Executor, outcomes: ManualOutcomes) {
  /** The update's validator: rejects bad input before it reaches history. */
  function validate(request: ManualActionRequest, action: Operation): void {
    if (!isManualActionRequest(request)) throw new Error('invalid request: integrationId is required');
    if (!run.configKnown) return; // checked once the configuration is read (handle)
    const integration = run.state.integrations[request.integrationId];
    if (!integration) throw new Error(`unknown integration: ${request.integrationId}`);
    if (integration.removed && action === 'activate') {
      throw new Error(`integration ${request.integrationId} is being removed and cannot be activated`);
    }
  }

  /** Returns once the provider call that serves the action has finished. */
  async function handle(request: ManualActionRequest, action: Operation): Promise<IntegrationView> {
    const { integrationId } = request;
    if (!run.configKnown) {
      await wf.condition(() => run.configKnown);
      try {
        validate(request, action);
      } catch (err) {
        throw wf.ApplicationFailure.create({ type: 'InvalidManualAction', message: messageOf(err), nonRetryable: true });
      }
    }
    wf.log.info(`manual ${action}`, { integrationId, actor: request.actor, ...(request.requestId ? { requestId: request.requestId } : {}) });
    run.apply({ type: 'manualAction', now: Date.now(), integrationId, action });
    const ticket = run.state.integrations[integrationId]?.manualTickets ?? 0;
    outcomes.wait(integrationId, ticket);
    try {
      await wf.condition(() => outcomes.served(integrationId, ticket) !== undefined || !run.state.integrations[integrationId]);
      const served = outcomes.served(integrationId, ticket);
      report(request, action, served?.error ?? null);
      return answer(integrationId, action, served);
    } finally {
      outcomes.done(integrationId, ticket);
    }
  }

  function report(request: ManualActionRequest, action: Operation, error: OperationError | null): void {
    const { integrationId } = request;
    executor.audit({
      actor: request.actor ?? 'unknown',
      action: `manual.${action}`,
      integration: integrationId,
      outcome: error ? 'failed' : 'ok',
      detail: error ? `${error.type}: ${error.message}` : (request.reason ?? ''),
    });
    executor.notify({
      event: 'manual_action',
      integrationId,
      operation: action,
      actor: request.actor ?? 'unknown',
      ...(error ? { error: { type: error.type, message: error.message } } : {}),
      ...(request.reason ? { detail: request.reason } : {}),
    });
  }

  /** The action's own result: the integration's view, or the failure that served it. */
  function answer(integrationId: string, action: Operation, served: Outcome | undefined): IntegrationView {
    const integration = run.state.integrations[integrationId];
    if (served?.error) {
      const { type, message } = served.error;
      throw wf.ApplicationFailure.create({
        type: 'ManualActionFailed',
        message: `${action} of integration ${integrationId} failed: ${type}: ${message}`,
        nonRetryable: true,
        details: integration ? [integrationView(integration, run.state)] : [],
      });
    }
    if (!integration) {
      throw wf.ApplicationFailure.create({ type: 'IntegrationRemoved', message: `integration ${integrationId} was removed`, nonRetryable: true });
    }
    if (served && served.op !== action) {
      const other = served.op === 'activate' ? 'Activate' : 'Withdraw';
      throw wf.ApplicationFailure.create({
        type: 'ManualActionSuperseded',
        message: `a later manual ${other} of integration ${integrationId} took this one's place before it ran`,
        nonRetryable: true,
      });
    }
    return integrationView(integration, run.state);
  }

  return { validate, handle };
}
