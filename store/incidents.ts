/**
 * The incident record: every incident a detector reported for a workspace, and whether it is
 * still active, written by the API when it accepts a report (before the workflow has it). A
 * workspace run that starts without a predecessor (the first one, or one after a run was
 * terminated) reads it, so it knows every incident still active. A start after its resolve
 * does not reopen an incident (as in the workflow). Resolved records older than a week are
 * removed by a periodic sweep (`pruneResolved`, one delete for every workspace), never on the
 * request path: no TTL index, since the store runs on FerretDB too, where many deletes at once
 * (a burst of resolves each pruning) exhaust its PostgreSQL pool and hang it. `history` lists a
 * workspace's records newest first, a page at a time (the API's incident history).
 */
import type { RecoveredIncidents, RecoverInput } from '../workflows/activity-names';
import type { IncidentStart } from '../workflows/messages';
import type { mongo } from 'mongoose';
import { isDuplicateKey } from './errors';
import { groupCommitUpdates } from './group-commit';
import { manualHoldRepository } from './manual-holds';
import type { Models } from './models';

const KEEP_RESOLVED_MS = 7 * 24 * 3_600_000;
/** How far back the history reaches by default. */
const HISTORY_DEFAULT_MS = 24 * 3_600_000;
/** How often an API process sweeps resolved records older than a week. */
export const PRUNE_EVERY_MS = 10 * 60_000;

interface Raw {
  _id: string;
  workspace: string;
  incidentId: string;
  incident: IncidentStart;
  active: boolean;
  startedAt: Date;
  resolvedAt: Date | null;
}

/** One incident as the record keeps it: the start as reported, and when the API received the start and the resolve. */
export interface IncidentRecord {
  incident: IncidentStart;
  /** When the API received the start (for a resolve whose start it never saw: the resolve's arrival). */
  startedAt: Date;
  /** When the API received the resolve; null while active. */
  resolvedAt: Date | null;
}

/**
 * A position in the history: `<startedAt in ms>.<incident id>` of the last record of a page.
 * Incident ids are plain tokens (the API's resource ids, `<type>:<attack id>` from detectors).
 */
export const HISTORY_CURSOR = /^([0-9]{1,15})\.([A-Za-z0-9_.:@-]{1,200})$/;
const cursorOf = (row: Raw) => `${row.startedAt.getTime()}.${row.incidentId}`;

export interface HistoryOptions {
  /** Default a day before `now`; never earlier than a week before it (resolved records are kept that long). */
  since?: Date;
  limit: number;
  /** The previous page's `next`. */
  before?: string;
  now?: Date;
}

/**
 * `<workspace>/<incident id>`: unambiguous, as workspace ids have no `/`. (The first version used a
 * NUL separator, which FerretDB on PostgreSQL refuses: every record write failed there.)
 */
const keyOf = (workspace: string, incidentId: string) => `${workspace}/${incidentId}`;
/** Every key of this version matches; a record of the first version does not. */
const CURRENT_KEY = /^[a-z0-9-]+\//;

/** An insert refused only because some of its records exist (a duplicate key each): those are left as they are. */
function onlyDuplicates(err: unknown): boolean {
  const writeErrors = (err as { writeErrors?: unknown } | null)?.writeErrors;
  const each = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
  return isDuplicateKey(err) && each.every(isDuplicateKey);
}

/** A start is an insert (kept only when no record exists); a resolve an upsert. */
type RecordWrite = { start: Raw } | { resolve: mongo.AnyBulkWriteOperation<Raw> };

export function incidentRepository(models: Models) {
  const { Incident } = models;
  const holds = manualHoldRepository(models);
  /**
   * Group-committed. A start is an insert, not an upsert: on FerretDB an update reads the
   * collection through for its filter (1.24 compares `_id` with an operator no index serves), so
   * an upsert cost about 0.3 ms plus 0.25 ms per thousand records kept (measured on PostgreSQL,
   * twentieth session), an insert about 0.13 ms whatever the size; on MongoDB both are an index
   * lookup. A batch writes its starts first, then its resolves in order: a start and its resolve
   * in one batch end resolved with the start's details, and a start after its resolve (a record
   * exists) is left out.
   */
  const write = groupCommitUpdates(async (items: RecordWrite[]) => {
    const starts = items.flatMap((item) => ('start' in item ? [item.start] : []));
    const resolves = items.flatMap((item) => ('resolve' in item ? [item.resolve] : []));
    if (starts.length > 0) {
      await Incident.collection.insertMany(starts as unknown as mongo.OptionalId<mongo.Document>[], { ordered: false }).catch((err: unknown) => {
        if (!onlyDuplicates(err)) throw err;
      });
    }
    if (resolves.length > 0) await Incident.collection.bulkWrite(resolves as mongo.AnyBulkWriteOperation[], { ordered: true });
  });
  return {
    /** An incident started; a record that exists (active or resolved) is left as it is. */
    async started(workspace: string, reported: IncidentStart & { requestId?: string }, at = new Date()): Promise<void> {
      const { requestId: _request, ...incident } = reported;
      await write({ start: { _id: keyOf(workspace, incident.incidentId), workspace, incidentId: incident.incidentId, incident, active: true, startedAt: at, resolvedAt: null } });
    },

    /** An incident resolved (also one whose start has not been seen). */
    async resolved(workspace: string, incidentId: string, at = new Date()): Promise<void> {
      await write({
        resolve: {
          updateOne: {
            filter: { _id: keyOf(workspace, incidentId) },
            update: { $set: { active: false, resolvedAt: at }, $setOnInsert: { workspace, incidentId, incident: { incidentId }, startedAt: at } },
            upsert: true,
          },
        },
      });
    },

    /** How many incidents of the workspace are active. */
    activeCount(workspace: string): Promise<number> {
      return Incident.countDocuments({ workspace, active: true });
    },

    /** Active incidents of every workspace with any, in one pass (the intake's census). */
    async activeCounts(): Promise<Map<string, number>> {
      const rows = await Incident.aggregate<{ _id: string; count: number }>([{ $match: { active: true } }, { $group: { _id: '$workspace', count: { $sum: 1 } } }]);
      return new Map(rows.map((row) => [row._id, row.count]));
    },

    /** Removes every workspace's records resolved more than a week before `now`; returns how many. */
    async pruneResolved(now = new Date()): Promise<number> {
      const { deletedCount } = await Incident.deleteMany({ active: false, resolvedAt: { $lt: new Date(now.getTime() - KEEP_RESOLVED_MS) } });
      return deletedCount;
    },

    /**
     * Rewrites records of the first version (NUL-separated keys, written on MongoDB or FerretDB on
     * SQLite) to the current keys; a record already written under the current key wins. Returns
     * how many it moved. Safe to run on every start and from several processes at once.
     */
    async migrateLegacyKeys(): Promise<number> {
      const legacy = await Incident.find({ _id: { $not: CURRENT_KEY } }).lean<Raw[]>();
      for (const { _id, ...record } of legacy) {
        await Incident.updateOne({ _id: keyOf(record.workspace, record.incidentId) }, { $setOnInsert: record }, { upsert: true });
        await Incident.deleteOne({ _id });
      }
      return legacy.length;
    },

    /**
     * The workspace's incidents that started at or after `since` (as applied: returned), newest
     * first (then by id), at most `limit`. Two simple queries on the index (workspace, startedAt,
     * _id), no `$or`: the rest of the cursor's own millisecond, then older ones.
     */
    async history(workspace: string, options: HistoryOptions): Promise<{ since: Date; incidents: IncidentRecord[]; next: string | null }> {
      const { limit, now = new Date() } = options;
      const since = new Date(Math.max(options.since?.getTime() ?? now.getTime() - HISTORY_DEFAULT_MS, now.getTime() - KEEP_RESOLVED_MS));
      const cursor = options.before ? HISTORY_CURSOR.exec(options.before) : null;
      const at = cursor ? new Date(Number(cursor[1])) : undefined;
      const newestFirst = { startedAt: -1, _id: -1 } as const;
      const rows: Raw[] = [];
      if (cursor && at && at >= since) {
        rows.push(
          ...(await Incident.find({ workspace, startedAt: at, _id: { $lt: keyOf(workspace, cursor[2]!) } })
            .sort(newestFirst)
            .limit(limit + 1)
            .lean<Raw[]>()),
        );
      }
      if (rows.length <= limit) {
        rows.push(
          ...(await Incident.find({ workspace, startedAt: at ? { $gte: since, $lt: at } : { $gte: since } })
            .sort(newestFirst)
            .limit(limit + 1 - rows.length)
            .lean<Raw[]>()),
        );
      }
      const page = rows.slice(0, limit);
      return {
        since,
        incidents: page.map(({ incident, incidentId, startedAt, resolvedAt }) => ({ incident: { ...incident, incidentId }, startedAt, resolvedAt: resolvedAt ?? null })),
        next: rows.length > limit ? cursorOf(page[page.length - 1]!) : null,
      };
    },

    /**
     * What a run starting without a predecessor needs to know (the recovery activity): a page of
     * active incidents from `after` and, with the first page when asked (the run has integrations),
     * the integrations a manual Activate holds (store/manual-holds.ts).
     */
    async recover(workspace: string, known: string[], limit: number, { after, manualHolds = false }: Pick<RecoverInput, 'after' | 'manualHolds'> = {}): Promise<RecoveredIncidents> {
      const knownKeys = known.map((id) => keyOf(workspace, id));
      const [rows, manualActivations] = await Promise.all([
        Incident.find({ workspace, active: true, _id: { $nin: knownKeys, ...(after ? { $gt: after } : {}) } })
          .sort({ _id: 1 })
          .limit(limit + 1)
          .lean<Raw[]>(),
        after === undefined && manualHolds ? holds.activated(workspace) : [],
      ]);
      const page = rows.slice(0, limit);
      const earlier = page.length > 0 || (await Incident.exists({ workspace, _id: { $nin: knownKeys } })) !== null;
      return {
        active: page.map((row) => row.incident),
        ...(rows.length > limit ? { next: page[page.length - 1]!._id } : {}),
        earlier,
        ...(manualActivations.length > 0 ? { manualActivations } : {}),
      };
    },
  };
}

export type IncidentRepository = ReturnType<typeof incidentRepository>;
