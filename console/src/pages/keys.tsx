/**
 * API keys (owner only): the list (never the keys), create, revoke. A new key is shown once, in
 * a read-only field: the one secret this console shows, because the owner just asked for it. It
 * lives in this page's state only, dropped when the page is left.
 */
import { useState } from 'preact/hooks';
import { asApiError, call, get, wsPath, type ApiError } from '../api';
import { ActionResult, type ActionOutcome } from '../components/action-result';
import { ConfirmDialog } from '../components/confirm-dialog';
import { Problem } from '../components/problem';
import { clock, isoTitle } from '../format';
import { useApi, useConfirmedRemoval } from '../hooks';
import type { ApiKey, CreatedApiKey, Me } from '../types';

const ROLES = ['owner', 'admin', 'detector', 'viewer'] as const;

export function KeysPage({ me }: { me: Me }) {
  const ws = me.workspaceId;
  const list = useApi(() => get<ApiKey[]>(wsPath(ws, 'api-keys')), [ws]);
  const [name, setName] = useState('');
  const [role, setRole] = useState<(typeof ROLES)[number]>('viewer');
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<ActionOutcome | null>(null);
  const revocation = useConfirmedRemoval<ApiKey>((key) => wsPath(ws, 'api-keys', key.id), { done: 'revoked', action: 'Revoke' }, list.reload, setOutcome);

  const create = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setCreated(null);
    try {
      const answer = await call<CreatedApiKey>('POST', wsPath(ws, 'api-keys'), { name: name.trim(), role });
      setCreated(answer.body);
      setName('');
      await list.reload();
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <h1>API keys</h1>
      <form class="record-form" data-testid="key-form" aria-labelledby="key-form-title" onSubmit={(e) => void create(e)} noValidate>
        <h2 id="key-form-title">New key</h2>
        <div class="field">
          <label for="key-name">Name</label>
          <input id="key-name" type="text" name="name" data-testid="key-name" maxLength={200} value={name} onInput={(e) => setName(e.currentTarget.value)} required />
        </div>
        <div class="field">
          <label for="key-role">Role</label>
          <select id="key-role" name="role" data-testid="key-role" value={role} onChange={(e) => setRole(e.currentTarget.value as (typeof ROLES)[number])}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </div>
        <Problem error={error} testId="key-error" />
        <div class="actions">
          <button type="submit" class="primary" data-testid="key-submit" disabled={busy}>
            Create key
          </button>
        </div>
      </form>
      {created && (
        <section class="result" aria-labelledby="new-key-title" data-testid="new-key-result">
          <h2 id="new-key-title">
            Key {created.name} ({created.role})
          </h2>
          <label for="new-key">Shown once: copy it now (select the field, then copy). Only a hash is kept.</label>
          <input id="new-key" type="text" readOnly value={created.key} data-testid="new-key" autoComplete="off" spellcheck={false} onFocus={(e) => e.currentTarget.select()} />
          <button type="button" onClick={() => setCreated(null)}>
            Done, hide it
          </button>
        </section>
      )}
      <ActionResult outcome={outcome} onDismiss={() => setOutcome(null)} />
      <Problem error={list.error} />
      {list.data && (
        <div class="table-wrap">
          <table data-testid="keys-table">
            <caption class="sr-only">API keys</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Prefix</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Revoked</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((key) => (
                <tr key={key.id} data-testid={`key-row-${key.id}`}>
                  <th scope="row">
                    {key.name}
                    {key.id === me.keyId ? ' (this session)' : ''}
                    <div class="muted small">{key.id}</div>
                  </th>
                  <td>{key.role}</td>
                  <td>
                    <code>{key.prefix}</code>
                  </td>
                  <td>
                    <time dateTime={isoTitle(key.createdAt)}>{clock(key.createdAt)}</time>
                  </td>
                  <td>{key.lastUsedAt ? <time dateTime={isoTitle(key.lastUsedAt)}>{clock(key.lastUsedAt)}</time> : 'never'}</td>
                  <td>{key.revokedAt ? <time dateTime={isoTitle(key.revokedAt)}>{clock(key.revokedAt)}</time> : '—'}</td>
                  <td>
                    {!key.revokedAt && (
                      <button type="button" class="danger" data-testid={`revoke-${key.id}`} onClick={() => revocation.ask(key)} aria-label={`Revoke ${key.name}`}>
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {revocation.pending && (
        <ConfirmDialog title={`Revoke ${revocation.pending.name}?`} confirmLabel="Revoke" busy={revocation.busy} onConfirm={() => void revocation.confirm()} onCancel={() => revocation.ask(null)}>
          <p>Requests with this key are refused from now on{revocation.pending.id === me.keyId ? ', this session included: you will be signed out' : ''}.</p>
        </ConfirmDialog>
      )}
    </>
  );
}
