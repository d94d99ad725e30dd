/**
 * The audit trail, newest first, a page at a time (the API's `before` cursor), filtered by the
 * API: action (exact, or a prefix ending in `*`), integration, actor, outcome. Every page holds
 * only matching records, so paging walks the whole filtered trail.
 */
import { useMemo, useState } from 'preact/hooks';
import { get, wsPath } from '../api';
import { Problem } from '../components/problem';
import { clock, isoTitle } from '../format';
import { useApi } from '../hooks';
import type { AuditPage, Integration, Me } from '../types';

const PAGE_SIZES = [50, 100, 200];
const NO_FILTER = { action: '', integration: '', actor: '', outcome: '' };
type Filters = typeof NO_FILTER;
/** Actors that are not API keys. */
const SYSTEM_ACTORS = ['workflow', 'admin', 'intake'];

/** The events query: the page size, the filters set, the cursor. */
function auditQuery(limit: number, filters: Filters, before: string | null): string {
  const params = new URLSearchParams({ limit: String(limit) });
  for (const [name, value] of Object.entries(filters)) if (value.trim()) params.set(name, value.trim());
  if (before) params.set('before', before);
  return params.toString();
}

export function AuditPage({ me }: { me: Me }) {
  const ws = me.workspaceId;
  const [limit, setLimit] = useState(50);
  // The filters applied, and the text fields as typed (applied on Enter or when the field is left).
  const [filters, setFilters] = useState<Filters>(NO_FILTER);
  const [typed, setTyped] = useState({ action: '', actor: '' });
  // The cursors of the pages before this one, to go back; null = the newest page.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const before = cursors[cursors.length - 1] ?? null;
  const page = useApi(() => get<AuditPage>(`${wsPath(ws, 'events')}?${auditQuery(limit, filters, before)}`), [ws, limit, before, filters.action, filters.integration, filters.actor, filters.outcome]);
  const integrations = useApi(() => get<Integration[]>(wsPath(ws, 'integrations')), [ws]);
  const nameOf = (id: string) => integrations.data?.find((i) => i.id === id)?.name;
  const events = page.data?.events ?? [];
  const apply = (next: Filters) => {
    setFilters(next);
    setCursors([null]);
  };
  const suggestions = useMemo(
    () => ({
      // Seen actions, and the prefixes of dotted ones (`manual.*`).
      action: [...new Set(events.flatMap((e) => [e.action, ...(e.action.includes('.') ? [`${e.action.slice(0, e.action.lastIndexOf('.') + 1)}*`] : [])]))].sort(),
      actor: [...new Set([...SYSTEM_ACTORS, me.keyId, ...events.map((e) => e.actor)])].sort(),
      integration: [
        ...new Set([...(integrations.data ?? []).map((i) => i.id), ...events.map((e) => e.integration).filter((i): i is string => i !== null), filters.integration].filter(Boolean)),
      ].sort(),
    }),
    [events, integrations.data, me.keyId, filters.integration],
  );
  const text = (name: 'action' | 'actor', label: string, help: string) => (
    <div class="field inline">
      <label for={`audit-filter-${name}`}>{label}</label>
      <input
        type="text"
        id={`audit-filter-${name}`}
        name={name}
        data-testid={`audit-filter-${name}`}
        list={`audit-${name}-suggestions`}
        aria-describedby={`audit-filter-${name}-help`}
        autocomplete="off"
        value={typed[name]}
        onInput={(e) => setTyped({ ...typed, [name]: e.currentTarget.value })}
        onChange={(e) => apply({ ...filters, [name]: e.currentTarget.value })}
      />
      <datalist id={`audit-${name}-suggestions`}>
        {suggestions[name].map((value) => (
          <option key={value} value={value} />
        ))}
      </datalist>
      <p class="help" id={`audit-filter-${name}-help`}>
        {help}
      </p>
    </div>
  );
  const select = (name: 'integration' | 'outcome', label: string, values: string[], show: (value: string) => string) => (
    <div class="field inline">
      <label for={`audit-filter-${name}`}>{label}</label>
      <select id={`audit-filter-${name}`} name={name} data-testid={`audit-filter-${name}`} value={filters[name]} onChange={(e) => apply({ ...filters, [name]: e.currentTarget.value })}>
        <option value="">any</option>
        {values.map((value) => (
          <option key={value} value={value}>
            {show(value)}
          </option>
        ))}
      </select>
    </div>
  );
  const filtered = Object.values(filters).some((value) => value.trim() !== '');
  return (
    <>
      <h1>Audit trail</h1>
      <form
        class="filters"
        aria-label="Filter the audit trail"
        onSubmit={(e) => {
          e.preventDefault();
          apply({ ...filters, ...typed });
        }}
      >
        {text('action', 'Action', 'Exact, or a prefix ending in * (manual.*)')}
        {select('integration', 'Integration', suggestions.integration, (id) => `${nameOf(id) ?? 'deleted'} (${id})`)}
        {text('actor', 'Actor', "An API key's id, workflow, admin or intake")}
        {select('outcome', 'Outcome', ['ok', 'failed', 'requested'], (value) => value)}
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
        <div class="field inline">
          <button type="submit" data-testid="audit-apply">
            Filter
          </button>{' '}
          <button
            type="button"
            data-testid="audit-clear"
            disabled={!filtered}
            onClick={() => {
              setTyped({ action: '', actor: '' });
              apply(NO_FILTER);
            }}
          >
            Clear filters
          </button>
        </div>
      </form>
      <p class="muted">{filtered ? 'The API filters the trail: every page holds only matching records, newest first.' : 'Every record, newest first.'}</p>
      <Problem error={page.error} />
      <div class="table-wrap">
        <table data-testid="audit-table">
          <caption class="sr-only">{filtered ? 'Matching audit records, newest first' : 'Audit records, newest first'}</caption>
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
            {events.map((e) => (
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
      {page.data && events.length === 0 && <p>{filtered ? 'No record matches these filters.' : 'No record.'}</p>}
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
