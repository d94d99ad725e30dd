/**
 * The audit trail, newest first, a page at a time (the API's `before` cursor). The API pages
 * only; the filters narrow the page shown, in the browser, and say so.
 */
import { useMemo, useState } from 'preact/hooks';
import { get, wsPath } from '../api';
import { Problem } from '../components/problem';
import { clock, isoTitle } from '../format';
import { useApi } from '../hooks';
import type { AuditPage, Integration, Me } from '../types';

const PAGE_SIZES = [50, 100, 200];

export function AuditPage({ me }: { me: Me }) {
  const ws = me.workspaceId;
  const [limit, setLimit] = useState(50);
  // The cursors of the pages before this one, to go back; null = the newest page.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const before = cursors[cursors.length - 1] ?? null;
  const page = useApi(() => get<AuditPage>(`${wsPath(ws, 'events')}?limit=${limit}${before ? `&before=${encodeURIComponent(before)}` : ''}`), [ws, limit, before]);
  const integrations = useApi(() => get<Integration[]>(wsPath(ws, 'integrations')), [ws]);
  const nameOf = (id: string) => integrations.data?.find((i) => i.id === id)?.name;
  const [filters, setFilters] = useState({ action: '', integration: '', actor: '', outcome: '' });
  const events = page.data?.events ?? [];
  const options = useMemo(
    () => ({
      action: [...new Set(events.map((e) => e.action))].sort(),
      integration: [...new Set(events.map((e) => e.integration).filter((i): i is string => i !== null))].sort(),
      actor: [...new Set(events.map((e) => e.actor))].sort(),
      outcome: ['ok', 'failed', 'requested'],
    }),
    [events],
  );
  const shown = events.filter(
    (e) =>
      (!filters.action || e.action === filters.action) &&
      (!filters.integration || e.integration === filters.integration) &&
      (!filters.actor || e.actor === filters.actor) &&
      (!filters.outcome || e.outcome === filters.outcome),
  );
  const filter = (name: keyof typeof filters, label: string) => (
    <div class="field inline">
      <label for={`audit-filter-${name}`}>{label}</label>
      <select id={`audit-filter-${name}`} name={name} data-testid={`audit-filter-${name}`} value={filters[name]} onChange={(e) => setFilters({ ...filters, [name]: e.currentTarget.value })}>
        <option value="">any</option>
        {options[name].map((value) => (
          <option key={value} value={value}>
            {name === 'integration' ? `${nameOf(value) ?? 'deleted'} (${value})` : value}
          </option>
        ))}
      </select>
    </div>
  );
  return (
    <>
      <h1>Audit trail</h1>
      <form class="filters" aria-label="Filter this page" onSubmit={(e) => e.preventDefault()}>
        {filter('action', 'Action')}
        {filter('integration', 'Integration')}
        {filter('actor', 'Actor')}
        {filter('outcome', 'Outcome')}
        <div class="field inline">
          <label for="audit-limit">Per page</label>
          <select
            id="audit-limit"
            name="limit"
            value={String(limit)}
            onChange={(e) => {
              setLimit(Number(e.currentTarget.value));
              setCursors([null]);
            }}
          >
            {PAGE_SIZES.map((size) => (
              <option key={size} value={String(size)}>
                {size}
              </option>
            ))}
          </select>
        </div>
      </form>
      <p class="muted">
        The API pages the trail but does not filter it: the filters apply to the page shown ({shown.length} of {events.length} records).
      </p>
      <Problem error={page.error} />
      <div class="table-wrap">
        <table data-testid="audit-table">
          <caption class="sr-only">Audit records, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Actor</th>
              <th scope="col">Action</th>
              <th scope="col">Integration</th>
              <th scope="col">Incident</th>
              <th scope="col">Outcome</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((e) => (
              <tr key={e.id} data-testid={`audit-${e.id}`}>
                <td>
                  <time dateTime={isoTitle(e.at)}>{clock(e.at)}</time>
                </td>
                <td>{e.actor === me.keyId ? `${e.actor} (you)` : e.actor}</td>
                <td>{e.action}</td>
                <td>{e.integration ? `${nameOf(e.integration) ?? 'deleted'} (${e.integration})` : '—'}</td>
                <td>{e.incident ?? '—'}</td>
                <td>{e.outcome}</td>
                <td class="detail">{e.detail}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {page.data && events.length === 0 && <p>No record.</p>}
      <nav class="pager" aria-label="Audit pages">
        <button type="button" data-testid="audit-newer" disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>
          Newer
        </button>
        <button type="button" data-testid="audit-next" disabled={!page.data?.next} onClick={() => page.data?.next && setCursors([...cursors, page.data.next])}>
          Older
        </button>
      </nav>
    </>
  );
}
