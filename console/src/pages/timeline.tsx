/**
 * The last 24 hours as a picture: attacks above (from the incident history), one lane per
 * integration with its diversions below, drawn as SVG by Preact (no chart library), and the
 * same intervals as a table.
 */
import { get, wsPath } from '../api';
import { Problem } from '../components/problem';
import { clock, duration, isoTitle } from '../format';
import { useApi } from '../hooks';
import { attacksFrom, lanesFrom, scale, type Attack, type Lane } from '../timeline-model';
import type { AuditEvent, AuditPage, IncidentHistory, IncidentRecord, Me, Scrubbing } from '../types';

const HOURS = 24;
const PAGE_SIZE = 200;
/** At most this many pages of the audit trail are read (10,000 records). */
const MAX_PAGES = 50;
const INCIDENT_PAGE_SIZE = 500;
/** At most this many pages of the incident history are read (1,000 incidents: a carpet bomb has many more). */
const MAX_INCIDENT_PAGES = 2;
const WIDTH = 1000;
const LABEL = 210;
const PLOT = WIDTH - LABEL - 10;
const ROW = 28;

interface TimelineData {
  window: { from: number; to: number };
  lanes: Lane[];
  attacks: Attack[];
  /** The trail was longer than MAX_PAGES pages: the picture starts later than 24 hours ago. */
  truncated: boolean;
  /** More incidents started in the window than MAX_INCIDENT_PAGES pages hold: the oldest are not drawn. */
  incidentsTruncated: boolean;
}

/** Pages, newest first, from `path(before)` until one's oldest item is older than wanted, no page is left, or `maxPages` were read. */
async function readPages<P extends { next: string | null }, T>(
  path: (before: string | null) => string,
  itemsOf: (page: P) => T[],
  maxPages: number,
  olderThanWanted: (item: T) => boolean = () => false,
): Promise<{ items: T[]; truncated: boolean }> {
  const items: T[] = [];
  let before: string | null = null;
  for (let pages = 1; ; pages++) {
    const page: P = await get<P>(path(before));
    const shown = itemsOf(page);
    items.push(...shown);
    const oldest = shown[shown.length - 1];
    if (!page.next || !oldest || olderThanWanted(oldest)) return { items, truncated: false };
    if (pages >= maxPages) return { items, truncated: true };
    before = page.next;
  }
}

async function loadTimeline(ws: string): Promise<TimelineData> {
  const to = Date.now();
  const from = to - HOURS * 3_600_000;
  const cursor = (before: string | null) => (before ? `&before=${encodeURIComponent(before)}` : '');
  const [trail, incidents, state] = await Promise.all([
    readPages<AuditPage, AuditEvent>(
      (before) => `${wsPath(ws, 'events')}?limit=${PAGE_SIZE}${cursor(before)}`,
      (page) => page.events,
      MAX_PAGES,
      (oldest) => new Date(oldest.at).getTime() < from,
    ),
    readPages<IncidentHistory, IncidentRecord>(
      (before) => `${wsPath(ws, 'incidents')}?since=${encodeURIComponent(new Date(from).toISOString())}&limit=${INCIDENT_PAGE_SIZE}${cursor(before)}`,
      (page) => page.incidents,
      MAX_INCIDENT_PAGES,
    ),
    get<Scrubbing>(wsPath(ws, 'scrubbing')),
  ]);
  const window = { from, to };
  const sources = state.integrations.map((i) => ({
    id: i.id,
    name: i.name ?? i.id,
    divertedNow: i.actual === 'active' || i.actual === 'withdrawing',
    since: i.since,
    dryRun: i.dryRun === true,
  }));
  return {
    window,
    lanes: lanesFrom(trail.items, sources, window),
    attacks: attacksFrom(incidents.items, state.activeIncidents, window),
    truncated: trail.truncated,
    incidentsTruncated: incidents.truncated,
  };
}

const short = (text: string, max = 30) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

function Axis({ window, y }: { window: TimelineData['window']; y: number }) {
  const ticks: number[] = [];
  const first = new Date(window.from);
  first.setMinutes(0, 0, 0);
  for (let t = first.getTime() + 3_600_000; t <= window.to; t += 3_600_000) if (new Date(t).getHours() % 3 === 0) ticks.push(t);
  return (
    <g class="axis">
      <line x1={LABEL} x2={LABEL + PLOT} y1={y} y2={y} />
      {ticks.map((t) => {
        const x = LABEL + scale(t, window, PLOT);
        return (
          <g key={t}>
            <line x1={x} x2={x} y1={y} y2={y + 5} />
            <text x={x} y={y + 18} text-anchor="middle">
              {`${String(new Date(t).getHours()).padStart(2, '0')}:00`}
            </text>
          </g>
        );
      })}
    </g>
  );
}

function Picture({ data }: { data: TimelineData }) {
  const { window, lanes, attacks } = data;
  const height = ROW * (lanes.length + 1) + 30;
  const bar = (from: number, to: number) => {
    const x = LABEL + scale(from, window, PLOT);
    return { x, width: Math.max(2, LABEL + scale(to, window, PLOT) - x) };
  };
  return (
    <svg class="timeline" data-testid="timeline" viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-labelledby="timeline-title timeline-desc">
      <title id="timeline-title">Attacks and diversions, last {HOURS} hours</title>
      <desc id="timeline-desc">
        {`${attacks.length} attack(s), ${attacks.filter((a) => a.open).length} still active; ${lanes.map((lane) => `${lane.name}: ${lane.intervals.length} diversion interval(s)`).join('; ') || 'no integration'}. The table below lists the same intervals.`}
      </desc>
      <g class="lane lane-attacks">
        <text x={0} y={ROW / 2 + 4}>
          Attacks
        </text>
        <rect class="lane-bg" x={LABEL} y={2} width={PLOT} height={ROW - 4} />
        {attacks.map((attack) => (
          <rect key={attack.id} class="attack" y={4} height={ROW - 8} {...bar(attack.from, attack.to)}>
            <title>{`Incident ${attack.id}${attack.target ? ` on ${attack.target}` : ''}: ${clock(attack.from)} – ${attack.open ? 'now' : clock(attack.to)}`}</title>
          </rect>
        ))}
      </g>
      {lanes.map((lane, index) => {
        const y = ROW * (index + 1);
        return (
          <g class="lane" key={lane.id}>
            <text x={0} y={y + ROW / 2 + 4}>
              <title>{lane.name}</title>
              {short(lane.name)}
            </text>
            <rect class="lane-bg" x={LABEL} y={y + 2} width={PLOT} height={ROW - 4} />
            {lane.intervals.map((interval) => (
              <rect key={`${interval.from}-${interval.dryRun}`} class={interval.dryRun ? 'diverted dry-run' : 'diverted'} y={y + 5} height={ROW - 10} {...bar(interval.from, interval.to)}>
                <title>{`${lane.name}: ${interval.dryRun ? 'dry-run diversion' : 'diverted'} ${clock(interval.from)} – ${interval.open ? 'now' : clock(interval.to)}`}</title>
              </rect>
            ))}
            {lane.marks.map((mark, i) => {
              const x = LABEL + scale(mark.at, window, PLOT);
              return (
                <g key={`${mark.at}-${i}`} class={`mark mark-${mark.outcome}`}>
                  <title>{`${mark.action} (${mark.outcome}) by ${mark.actor} at ${clock(mark.at)}${mark.detail ? `: ${mark.detail}` : ''}`}</title>
                  <line x1={x} x2={x} y1={y + 2} y2={y + ROW - 2} />
                  <circle cx={x} cy={y + 5} r={3} />
                </g>
              );
            })}
          </g>
        );
      })}
      <Axis window={window} y={ROW * (lanes.length + 1) + 2} />
    </svg>
  );
}

function IntervalTable({ data }: { data: TimelineData }) {
  const rows = [
    ...data.attacks.map((a) => ({ key: `a-${a.id}`, lane: 'Attacks', what: `incident ${a.id}${a.target ? ` on ${a.target}` : ''}`, from: a.from, to: a.to, open: a.open })),
    ...data.lanes.flatMap((lane) =>
      lane.intervals.map((i) => ({ key: `${lane.id}-${i.from}-${i.dryRun}`, lane: lane.name, what: i.dryRun ? 'dry-run diversion' : 'diverted', from: i.from, to: i.to, open: i.open })),
    ),
  ];
  if (rows.length === 0) return <p>No attack and no diversion in the last {HOURS} hours.</p>;
  return (
    <div class="table-wrap">
      <table data-testid="timeline-table">
        <caption>The same intervals as text</caption>
        <thead>
          <tr>
            <th scope="col">Lane</th>
            <th scope="col">What</th>
            <th scope="col">From</th>
            <th scope="col">To</th>
            <th scope="col">Duration</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.key}>
              <td>{row.lane}</td>
              <td>{row.what}</td>
              <td>
                <time dateTime={isoTitle(row.from)}>{clock(row.from)}</time>
              </td>
              <td>{row.open ? 'now' : <time dateTime={isoTitle(row.to)}>{clock(row.to)}</time>}</td>
              <td>{duration(row.to - row.from)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function TimelinePage({ me }: { me: Me }) {
  const data = useApi(() => loadTimeline(me.workspaceId), [me.workspaceId], 30_000);
  return (
    <>
      <h1>Timeline: last {HOURS} hours</h1>
      <p class="muted">
        Attacks come from the incident history: each incident from its start (as the detector reported it) to its resolve, or to now while it is active; one that began before these {HOURS} hours is
        drawn while it is still active. Diversions come from the audit trail (divert and withdraw records) and each integration&apos;s current state. Refreshed every 30 s.
      </p>
      <Problem error={data.error} />
      {!data.data && data.loading && <p>Loading…</p>}
      {data.data && (
        <>
          {data.data.truncated && <p class="warning">The audit trail is longer than {MAX_PAGES * PAGE_SIZE} records for this period: older diversions may be missing.</p>}
          {data.data.incidentsTruncated && (
            <p class="warning">More than {MAX_INCIDENT_PAGES * INCIDENT_PAGE_SIZE} incidents started in this period: only the newest are drawn, with those still active.</p>
          )}
          <p class="legend" aria-hidden="true">
            <span class="key key-attack" /> attack <span class="key key-diverted" /> diverted <span class="key key-dry-run" /> dry run <span class="key key-mark" /> manual action or failure
          </p>
          <Picture data={data.data} />
          <IntervalTable data={data.data} />
        </>
      )}
    </>
  );
}
