/**
 * Integrations: the list with each one's live state, Test / Activate / Withdraw / Edit / Delete
 * (each confirmed, each showing the API's answer), and the create and edit forms built from
 * the API's schemas. Keys without integrations.write see the list only.
 */
import { useState } from 'preact/hooks';
import { call, get, wsPath } from '../api';
import { useIntegrationActions } from '../components/integration-actions';
import { StateBadge } from '../components/integration-state';
import { WorkflowLink } from '../components/links';
import { Problem } from '../components/problem';
import { RecordForm } from '../components/record-form';
import { useApi } from '../hooks';
import { can } from '../rights';
import { integrationVariants } from '../schemas';
import type { Integration, IntegrationState, Me, Scrubbing } from '../types';
import { POLL_MS } from './overview';

const scopeText = (scope: Integration['scope']) => (scope === 'workspace' ? 'whole workspace' : scope.join(', '));

export function IntegrationsPage({ me }: { me: Me }) {
  const ws = me.workspaceId;
  const writer = can(me, 'integrations.write');
  const list = useApi(() => get<Integration[]>(wsPath(ws, 'integrations')), [ws]);
  const live = useApi(() => get<Scrubbing>(wsPath(ws, 'scrubbing')), [ws], POLL_MS);
  const variants = useApi(() => (writer ? integrationVariants() : Promise.resolve([])), [writer]);
  const [form, setForm] = useState<{ editing?: Integration } | null>(null);
  const stateOf = (id: string): IntegrationState | undefined => live.data?.integrations.find((i) => i.id === id);
  const actions = useIntegrationActions(me, (action) => {
    if (action === 'delete') void list.reload();
    void live.reload();
  });

  const save = async (type: string, body: Record<string, unknown>) => {
    const editing = form?.editing;
    if (editing) {
      const answer = await call<Integration>('PATCH', wsPath(ws, 'integrations', editing.id), body);
      actions.show({ kind: 'done', subject: answer.body.name, message: `saved (${Object.keys(body).join(', ')})` });
    } else {
      const answer = await call<Integration>('POST', wsPath(ws, 'integrations'), { type, ...body });
      actions.show({ kind: 'done', subject: answer.body.name, message: `created (${answer.body.id})` });
    }
    setForm(null);
    await list.reload();
  };

  return (
    <>
      <h1>Integrations</h1>
      {writer && !form && (
        <p>
          <button type="button" class="primary" data-testid="new-integration" onClick={() => setForm({})}>
            New integration
          </button>
        </p>
      )}
      {form && (
        <>
          <Problem error={variants.error} />
          {variants.data && (
            <RecordForm
              key={form.editing?.id ?? 'new'}
              title={form.editing ? `Edit ${form.editing.name}` : 'New integration'}
              variants={variants.data}
              {...(form.editing ? { existing: form.editing } : {})}
              submitLabel={form.editing ? 'Save changes' : 'Create integration'}
              testId="integration-form"
              onSubmit={save}
              onCancel={() => setForm(null)}
            />
          )}
        </>
      )}
      {actions.view}
      <Problem error={list.error} />
      {list.data && list.data.length === 0 && <p>No integration yet.</p>}
      {list.data && list.data.length > 0 && (
        <div class="table-wrap">
          <table>
            <caption class="sr-only">Integrations</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Type</th>
                <th scope="col">State</th>
                <th scope="col">Auto-divert</th>
                <th scope="col">Scope</th>
                <th scope="col">Policy</th>
                <th scope="col">Links</th>
                {writer && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {list.data.map((integration) => {
                const state = stateOf(integration.id);
                return (
                  <tr key={integration.id} data-testid={`integration-row-${integration.id}`}>
                    <th scope="row">
                      {integration.name}
                      <div class="muted small">{integration.id}</div>
                    </th>
                    <td>{integration.type}</td>
                    <td>{state ? <StateBadge state={state.actual} testId={`actual-${integration.id}`} /> : <span data-testid={`actual-${integration.id}`}>not in the workflow yet</span>}</td>
                    <td>{integration.autoDivert ? 'on' : 'off'}</td>
                    <td>{scopeText(integration.scope)}</td>
                    <td>
                      {integration.dryRun ? 'dry run; ' : ''}on drift {integration.onDrift}; {integration.timing.why}
                    </td>
                    <td>
                      <WorkflowLink me={me} subject={integration.name} />
                    </td>
                    {writer && (
                      <td class="buttons">
                        {actions.buttons(integration, ['test', 'activate', 'withdraw'])}
                        <button type="button" data-testid={`edit-${integration.id}`} onClick={() => setForm({ editing: integration })} aria-label={`Edit ${integration.name}`}>
                          Edit
                        </button>
                        {actions.buttons(integration, ['delete'])}
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
