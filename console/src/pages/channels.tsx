/** Notification channels: the list (secrets masked by the API), create from the API's schemas, delete. Owner and admin. */
import { useState } from 'preact/hooks';
import { call, get, wsPath } from '../api';
import { ActionResult, type ActionOutcome } from '../components/action-result';
import { ConfirmDialog } from '../components/confirm-dialog';
import { Problem } from '../components/problem';
import { RecordForm } from '../components/record-form';
import { useApi, useConfirmedRemoval } from '../hooks';
import { channelVariants } from '../schemas';
import type { Channel, Me } from '../types';

const settingsText = (settings: Record<string, unknown>) =>
  Object.entries(settings)
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join('; ') || '—';

export function ChannelsPage({ me }: { me: Me }) {
  const ws = me.workspaceId;
  const list = useApi(() => get<Channel[]>(wsPath(ws, 'notification-channels')), [ws]);
  const variants = useApi(channelVariants, []);
  const [creating, setCreating] = useState(false);
  const [outcome, setOutcome] = useState<ActionOutcome | null>(null);
  const deletion = useConfirmedRemoval<Channel>((channel) => wsPath(ws, 'notification-channels', channel.id), { done: 'deleted', action: 'Delete' }, list.reload, setOutcome);

  const create = async (type: string, body: Record<string, unknown>) => {
    const answer = await call<Channel>('POST', wsPath(ws, 'notification-channels'), { type, ...body });
    setOutcome({ kind: 'done', subject: answer.body.name, message: `created (${answer.body.id})` });
    setCreating(false);
    await list.reload();
  };

  return (
    <>
      <h1>Notification channels</h1>
      <p class="muted">Where the workflow sends its events (webhook, Slack, PagerDuty). Secrets are write-only: the API never returns them.</p>
      {!creating && (
        <p>
          <button type="button" class="primary" data-testid="new-channel" onClick={() => setCreating(true)}>
            New channel
          </button>
        </p>
      )}
      {creating && (
        <>
          <Problem error={variants.error} />
          {variants.data && <RecordForm title="New channel" variants={variants.data} submitLabel="Create channel" testId="channel-form" onSubmit={create} onCancel={() => setCreating(false)} />}
        </>
      )}
      <ActionResult outcome={outcome} onDismiss={() => setOutcome(null)} />
      <Problem error={list.error} />
      {list.data && list.data.length === 0 && <p>No channel: the workflow sends no notification.</p>}
      {list.data && list.data.length > 0 && (
        <div class="table-wrap">
          <table data-testid="channels-table">
            <caption class="sr-only">Notification channels</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Type</th>
                <th scope="col">Events</th>
                <th scope="col">Settings</th>
                <th scope="col">Secrets set</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((channel) => (
                <tr key={channel.id} data-testid={`channel-row-${channel.id}`}>
                  <th scope="row">
                    {channel.name}
                    <div class="muted small">{channel.id}</div>
                  </th>
                  <td>{channel.type}</td>
                  <td>{channel.events.length === 0 ? 'all' : channel.events.join(', ')}</td>
                  <td>{settingsText(channel.settings)}</td>
                  <td>{Object.keys(channel.secrets).join(', ') || '—'}</td>
                  <td>
                    <button type="button" class="danger" data-testid={`delete-channel-${channel.id}`} onClick={() => deletion.ask(channel)} aria-label={`Delete ${channel.name}`}>
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {deletion.pending && (
        <ConfirmDialog title={`Delete ${deletion.pending.name}?`} confirmLabel="Delete" busy={deletion.busy} onConfirm={() => void deletion.confirm()} onCancel={() => deletion.ask(null)}>
          <p>The channel stops receiving notifications at once.</p>
        </ConfirmDialog>
      )}
    </>
  );
}
