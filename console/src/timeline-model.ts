/**
 * The last hours as intervals: per integration, when it was diverted (from the audit trail's
 * divert and withdraw records, and its current state), and the attacks (from the incident
 * history, and the workflow's active incidents for those that began earlier). Pure: no DOM, no fetch.
 */

export interface TimelineEvent {
  at: string;
  action: string;
  integration: string | null;
  outcome: 'ok' | 'failed' | 'requested';
  actor: string;
  detail: string;
}

export interface Interval {
  from: number;
  to: number;
  /** Still on at the end of the window. */
  open: boolean;
  dryRun: boolean;
}

export interface Mark {
  at: number;
  action: string;
  outcome: TimelineEvent['outcome'];
  actor: string;
  detail: string;
}

export interface Lane {
  id: string;
  name: string;
  intervals: Interval[];
  /** Manual actions and failed operations, as points. */
  marks: Mark[];
}

export interface LaneSource {
  id: string;
  name: string;
  /** Diverted now (active, or activating/withdrawing with the provider still diverted) and since when. */
  divertedNow: boolean;
  since: string | null;
  /** In dry run: its diversions are recorded, not made. */
  dryRun: boolean;
}

// The workflow's records of a provider operation (workflows/executor.ts): 'divert' / 'withdraw',
// 'dry-run.' prefixed in dry run, and 'divert.adopted' when the provider was found diverted already.
const STARTS = new Set(['divert', 'divert.adopted']);
const ENDS = new Set(['withdraw']);
const MARKS = /^(manual\.|drift$|withdraw\.held|provider\.calm|divert\.deferred)/;

export function lanesFrom(events: TimelineEvent[], sources: LaneSource[], window: { from: number; to: number }): Lane[] {
  const ordered = [...events].map((e) => ({ ...e, time: new Date(e.at).getTime() })).sort((a, b) => a.time - b.time);
  return sources.map((source) => {
    const intervals: Interval[] = [];
    const marks: Mark[] = [];
    const open: Record<'real' | 'dry', number | null> = { real: null, dry: null };
    const seen = { real: false, dry: false };
    for (const event of ordered) {
      if (event.integration !== source.id || event.time < window.from || event.time > window.to) continue;
      const dry = event.action.startsWith('dry-run.');
      const action = dry ? event.action.slice('dry-run.'.length) : event.action;
      const which = dry ? 'dry' : 'real';
      if (event.outcome === 'ok' && STARTS.has(action)) {
        if (open[which] === null) open[which] = event.time;
        seen[which] = true;
      } else if (event.outcome === 'ok' && ENDS.has(action)) {
        // A withdrawal with no start in the window: the diversion began before it.
        const from = open[which] ?? (seen[which] ? null : window.from);
        if (from !== null) intervals.push({ from, to: event.time, open: false, dryRun: dry });
        open[which] = null;
        seen[which] = true;
      }
      if (MARKS.test(event.action) || (event.outcome === 'failed' && (STARTS.has(action) || ENDS.has(action)))) {
        marks.push({ at: event.time, action: event.action, outcome: event.outcome, actor: event.actor, detail: event.detail });
      }
    }
    for (const which of ['real', 'dry'] as const) {
      const started = open[which];
      if (started !== null) intervals.push({ from: started, to: window.to, open: true, dryRun: which === 'dry' });
    }
    // Diverted now with nothing recorded in the window: diverted since its state's `since`, or all along.
    if (source.divertedNow && !seen.real && !seen.dry) {
      const since = source.since ? new Date(source.since).getTime() : window.from;
      intervals.push({ from: Math.max(window.from, Number.isNaN(since) ? window.from : since), to: window.to, open: true, dryRun: source.dryRun });
    }
    intervals.sort((a, b) => a.from - b.from);
    return { id: source.id, name: source.name, intervals, marks };
  });
}

export interface Attack {
  id: string;
  target: string | undefined;
  from: number;
  to: number;
  /** Still active at the end of the window. */
  open: boolean;
}

/** An incident of the history (GET …/incidents): the API's times, and the start the detector reported. */
export interface HistoryIncident {
  id: string;
  target?: string;
  reportedStartedAt?: string;
  startedAt: string;
  resolvedAt: string | null;
}

/** An incident the workflow holds as active (GET …/scrubbing). */
export interface ActiveIncident {
  incidentId: string;
  target?: string;
  startedAt?: string;
  receivedAt: number;
}

/** The start as the detector reported it when that is earlier than its arrival, else the arrival. */
function startOf(reported: string | undefined, received: number): number {
  const at = reported ? new Date(reported).getTime() : NaN;
  return Number.isNaN(at) ? received : Math.min(at, received);
}

/**
 * Each incident from its start to its resolve, or to the window's end while active, clipped to
 * the window; oldest first. `active` adds those the history lacks (begun before the window, or
 * beyond the pages read), active until now.
 */
export function attacksFrom(history: HistoryIncident[], active: ActiveIncident[], window: { from: number; to: number }): Attack[] {
  const attacks = new Map<string, Attack>();
  for (const incident of history) {
    const resolved = incident.resolvedAt === null ? NaN : new Date(incident.resolvedAt).getTime();
    const open = Number.isNaN(resolved);
    const from = Math.max(window.from, startOf(incident.reportedStartedAt, new Date(incident.startedAt).getTime()));
    const to = open ? window.to : Math.min(window.to, resolved);
    if (to >= window.from && from <= window.to) attacks.set(incident.id, { id: incident.id, target: incident.target, from, to: Math.max(from, to), open });
  }
  for (const incident of active) {
    if (attacks.has(incident.incidentId)) continue;
    attacks.set(incident.incidentId, { id: incident.incidentId, target: incident.target, from: Math.max(window.from, startOf(incident.startedAt, incident.receivedAt)), to: window.to, open: true });
  }
  return [...attacks.values()].sort((a, b) => a.from - b.from || a.id.localeCompare(b.id));
}

/** x in [0, width] for a time in the window. */
export function scale(time: number, window: { from: number; to: number }, width: number): number {
  const span = window.to - window.from;
  return span <= 0 ? 0 : Math.min(width, Math.max(0, ((time - window.from) / span) * width));
}
