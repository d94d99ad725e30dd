/** What the API answered to a Test, Activate, Withdraw or Delete, shown after the action. */
import type { ApiError } from '../api';
import type { IntegrationState, ManualActionPending, TestResult } from '../types';
import { Problem } from './problem';
import { StateBadge } from './integration-state';

export type ActionOutcome =
  | { kind: 'test'; subject: string; result: TestResult }
  | { kind: 'activate' | 'withdraw'; subject: string; status: number; result: IntegrationState | ManualActionPending }
  | { kind: 'delete'; subject: string; pending: boolean }
  | { kind: 'done'; subject: string; message: string }
  | { kind: 'failed'; subject: string; action: string; error: ApiError };

const isPending = (result: IntegrationState | ManualActionPending): result is ManualActionPending => 'status' in result && result.status === 'pending';

function Body({ outcome }: { outcome: ActionOutcome }) {
  switch (outcome.kind) {
    case 'test':
      return (
        <>
          <p>
            Test of <strong>{outcome.subject}</strong>: {outcome.result.ok ? 'ok' : 'failed'}. {outcome.result.summary}
          </p>
          {outcome.result.warnings.length > 0 && (
            <ul>
              {outcome.result.warnings.map((warning, i) => (
                <li key={i}>{warning}</li>
              ))}
            </ul>
          )}
        </>
      );
    case 'activate':
    case 'withdraw': {
      const verb = outcome.kind === 'activate' ? 'Activate' : 'Withdraw';
      if (isPending(outcome.result))
        return (
          <p>
            {verb} <strong>{outcome.subject}</strong>: still running. {outcome.result.message}
          </p>
        );
      const state = outcome.result;
      return (
        <p>
          {verb} <strong>{outcome.subject}</strong>: now <StateBadge state={state.actual} /> (desired {state.desired})
          {state.provider ? `; provider says ${state.provider.observed}: ${state.provider.detail}` : ''}
          {state.lastError ? `; error ${state.lastError.type}: ${state.lastError.message}` : ''}
        </p>
      );
    }
    case 'delete':
      return (
        <p>
          <strong>{outcome.subject}</strong> {outcome.pending ? 'left the configuration; the workflow withdraws it first, then deletes it.' : 'deleted.'}
        </p>
      );
    case 'done':
      return (
        <p>
          <strong>{outcome.subject}</strong>: {outcome.message}
        </p>
      );
    case 'failed':
      return (
        <>
          <p>
            {outcome.action} <strong>{outcome.subject}</strong> was refused:
          </p>
          <Problem error={outcome.error} />
        </>
      );
  }
}

/** A live region that is always there, so screen readers announce each new answer. */
export function ActionResult({ outcome, onDismiss }: { outcome: ActionOutcome | null; onDismiss: () => void }) {
  return (
    <div aria-live="polite">
      {outcome && (
        <div class={`result ${outcome.kind === 'failed' || (outcome.kind === 'test' && !outcome.result.ok) ? 'result-bad' : ''}`} data-testid="action-result">
          <Body outcome={outcome} />
          <button type="button" class="link" onClick={onDismiss}>
            Dismiss
          </button>
        </div>
      )}
    </div>
  );
}
