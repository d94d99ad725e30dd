/**
 * Test / Activate / Withdraw / Delete of an integration: a button per action (only for keys
 * with integrations.write), a confirmation dialog, the call, and the API's answer shown after it.
 * Shared by the overview and the integrations page.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { asApiError, call, wsPath } from '../api';
import { can } from '../rights';
import type { IntegrationState, ManualActionPending, Me, TestResult } from '../types';
import { ActionResult, type ActionOutcome } from './action-result';
import { ConfirmDialog } from './confirm-dialog';

export type IntegrationAction = 'test' | 'activate' | 'withdraw' | 'delete';

const ACTIONS: Record<IntegrationAction, { title: string; label: string; explain: string }> = {
  test: { title: 'Test', label: 'Run the test', explain: 'Checks the credentials and the provider configuration; changes nothing at the provider.' },
  activate: { title: 'Activate', label: 'Activate', explain: 'Diverts traffic to the provider now, whatever the incidents (a manual override until withdrawn).' },
  withdraw: { title: 'Withdraw', label: 'Withdraw', explain: 'Ends the diversion now, even during an attack (a manual override).' },
  delete: { title: 'Delete', label: 'Delete', explain: 'Removes the integration; a diverted one is withdrawn first.' },
};

export interface Target {
  id: string;
  name: string;
}

export interface IntegrationActions {
  /** The buttons for `target`, or nothing for a key that may not use them. */
  buttons: (target: Target, actions: IntegrationAction[]) => JSX.Element | null;
  /** The answer region and, while one is asked, the confirmation. */
  view: JSX.Element;
  /** Shows another outcome in the same place (a form's). */
  show: (outcome: ActionOutcome | null) => void;
}

export function useIntegrationActions(me: Me, afterAction: (action: IntegrationAction) => void): IntegrationActions {
  const ws = me.workspaceId;
  const writer = can(me, 'integrations.write');
  const [pending, setPending] = useState<{ action: IntegrationAction; target: Target } | null>(null);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<ActionOutcome | null>(null);

  const close = () => {
    setPending(null);
    setReason('');
  };

  const run = async () => {
    if (!pending) return;
    const { action, target } = pending;
    const subject = target.name;
    setBusy(true);
    try {
      if (action === 'test') {
        const answer = await call<TestResult>('POST', wsPath(ws, 'integrations', target.id, 'test'));
        setOutcome({ kind: 'test', subject, result: answer.body });
      } else if (action === 'delete') {
        const answer = await call<unknown>('DELETE', wsPath(ws, 'integrations', target.id));
        setOutcome({ kind: 'delete', subject, pending: answer.status === 202 });
      } else {
        const body = reason.trim() ? { reason: reason.trim() } : {};
        const answer = await call<IntegrationState | ManualActionPending>('POST', wsPath(ws, 'integrations', target.id, action), body);
        setOutcome({ kind: action, subject, status: answer.status, result: answer.body });
      }
    } catch (err) {
      setOutcome({ kind: 'failed', subject, action: ACTIONS[action].title, error: asApiError(err) });
    } finally {
      setBusy(false);
      close();
      afterAction(action);
    }
  };

  const buttons = (target: Target, actions: IntegrationAction[]) =>
    writer ? (
      <span class="buttons">
        {actions.map((action) => (
          <button
            key={action}
            type="button"
            class={action === 'delete' ? 'danger' : undefined}
            data-testid={`${action}-${target.id}`}
            aria-label={`${ACTIONS[action].title} ${target.name}`}
            onClick={() => setPending({ action, target })}
          >
            {ACTIONS[action].title}
          </button>
        ))}
      </span>
    ) : null;

  const view = (
    <>
      <ActionResult outcome={outcome} onDismiss={() => setOutcome(null)} />
      {pending && (
        <ConfirmDialog title={`${ACTIONS[pending.action].title} ${pending.target.name}?`} confirmLabel={ACTIONS[pending.action].label} busy={busy} onConfirm={() => void run()} onCancel={close}>
          <p>{ACTIONS[pending.action].explain}</p>
          {(pending.action === 'activate' || pending.action === 'withdraw') && (
            <div class="field">
              <label for="action-reason">Reason (optional, kept in the audit trail)</label>
              <input id="action-reason" type="text" name="reason" maxLength={500} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
            </div>
          )}
        </ConfirmDialog>
      )}
    </>
  );

  return { buttons, view, show: setOutcome };
}
