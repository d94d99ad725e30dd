/**
 * The incident record: every incident a detector reported for a workspace, and whether it is
 * still active, written by the API when it accepts a report (before the workflow has it). A
 * workspace run that starts without a predecessor (the first one, or one after a run was
 * terminated) reads it, so it knows every incident still active. A start after its resolve
 * does not reopen an incident (as in the workflow). A resolve is written beside the record, as a
 * resolution (store/models.ts), and the periodic sweep folds resolutions into the records; readers
 * take both into account. Resolved records older than a week are
 * removed by a periodic sweep (`pruneResolved`, one delete for every workspace), never on the
 * request path: no TTL index, since the store runs on FerretDB too, where many deletes at once
 * (a burst of resolves each pruning) exhaust its PostgreSQL pool and hang it. `history` lists a
 * workspace's records newest first, a page at a time (the API's incident history).
 */
import type { RecoveredIncidents, RecoverInput } from '../workflows/activity-names';
import type { IncidentStart } from '../workflows/messages';
import type { mongo } from 'mongoose';
import { onlyDuplicateKeys } from './errors';
import { UPDATE_BATCHING, groupCommit } from './group-commit';
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

interface Resolution {
  _id: string;
  workspace: string;
  incidentId: string;
  resolvedAt: Date;
}

/**
 * What one report writes. A start: its record. A resolve: its resolution and, unless this process
 * wrote the start (so the record exists), a resolved placeholder record, kept only when there is
 * no record (a resolve whose start never came is listed at once, as received and resolved).
 */
type RecordWrite = { start: Raw } | { resolution: Resolution } | { placeholder: Raw };

/** Starts this process wrote, remembered so that their resolves need no placeholder (the least recent forgotten first). */
const MAX_REMEMBERED_STARTS = 100_000;
/** Resolutions per write in the sweep (folded into their records, or removed with them). */
const SWEEP_BATCH = 500;

export function incidentRepository(models: Models) {
  const { Incident, IncidentResolution } = models;
  const holds = manualHoldRepository(models);
  const startedHere = new Set<string>();
  const insertNew = async (collection: mongo.Collection, docs: object[]) => {
    if (docs.length === 0) return;
    await collection.insertMany(docs as mongo.OptionalId<mongo.Document>[], { ordered: false }).catch((err: unknown) => {
      if (!onlyDuplicateKeys(err)) throw err; // those that exist are left as they are
    });
  };
  /**
   * Group-committed, and only inserts: on FerretDB an update reads the whole collection for its
   * filter (1.24 compares `_id` with an operator no index serves), so an upsert of a record cost
   * about 0.3 ms plus 0.25 ms per thousand records kept, an insert about 0.13 ms whatever the size
   * (measured on PostgreSQL, twentieth session); on MongoDB both are an index lookup. A batch
   * writes its starts before its placeholders: a start and its resolve handed over together keep
   * the start's details, and a start after its resolve finds the placeholder and is left out.
   */
  const write = groupCommit(async (items: RecordWrite[]) => {
    const starts: Raw[] = [];
    const placeholders: Raw[] = [];
    const resolutions: Resolution[] = [];
    for (const item of items) {
      if ('start' in item) starts.push(item.start);
      else if ('placeholder' in item) placeholders.push(item.placeholder);
      else resolutions.push(item.resolution);
    }
    await insertNew(Incident.collection, starts);
    await insertNew(Incident.collection, placeholders);
    await insertNew(IncidentResolution.collection, resolutions);
  }, UPDATE_BATCHING); // the batching these writes had as upserts: a write after a quiet moment still goes at once
  /** Of these records' keys, those a resolution exists for (with when). */
  const resolutionsOf = async (workspace: string, keys: string[]): Promise<Map<string, Date>> => {
    if (keys.length === 0) return new Map();
    const rows = await IncidentResolution.find({ workspace, _id: { $in: keys } }).lean<Resolution[]>();
    return new Map(rows.map((row) => [row._id, row.resolvedAt]));
  };
  return {
    /** An incident started; a record that exists (active or resolved) is left as it is. */
    async started(workspace: string, reported: IncidentStart & { requestId?: string }, at = new Date()): Promise<void> {
      const { requestId: _request, ...incident } = reported;
      const key = keyOf(workspace, incident.incidentId);
      await write({ start: { _id: key, workspace, incidentId: incident.incidentId, incident, active: true, startedAt: at, resolvedAt: null } });
      startedHere.delete(key);
      startedHere.add(key);
      if (startedHere.size > MAX_REMEMBERED_STARTS) startedHere.delete(startedHere.values().next().value as string);
    },

    /** An incident resolved (also one whose start has not been seen); the first resolve's time is kept. */
    async resolved(workspace: string, incidentId: string, at = new Date()): Promise<void> {
      const key = keyOf(workspace, incidentId);
      const resolution = write({ resolution: { _id: key, workspace, incidentId, resolvedAt: at } });
      const placeholder = startedHere.has(key) ? undefined : write({ placeholder: { _id: key, workspace, incidentId, incident: { incidentId }, active: false, startedAt: at, resolvedAt: at } });
      await Promise.all([resolution, placeholder]);
    },

    /** How many incidents of the workspace are active. */
    async activeCount(workspace: string): Promise<number> {
      const keys = (await Incident.find({ workspace, active: true }, { _id: 1 }).lean<{ _id: string }[]>()).map((row) => row._id);
      return keys.length - (await resolutionsOf(workspace, keys)).size;
    },

    /**
     * Active incidents of every workspace with any, in one pass (the intake's census): records not
     * marked resolved, less the resolutions of each workspace not yet folded into its records. A
     * placeholder's resolution counts too (its record was never active), and one folded between
     * the two reads, so the census may err low, never high; the workflow's own cap stands behind
     * it, and a workspace near its limit is counted exactly (`activeCount`).
     */
    async activeCounts(): Promise<Map<string, number>> {
      // The resolutions first: a fold between the two reads then makes the census err low, not high.
      const resolutions = await IncidentResolution.aggregate<{ _id: string; count: number }>([{ $match: { folded: { $ne: true } } }, { $group: { _id: '$workspace', count: { $sum: 1 } } }]);
      const records = await Incident.aggregate<{ _id: string; count: number }>([{ $match: { active: true } }, { $group: { _id: '$workspace', count: { $sum: 1 } } }]);
      const counts = new Map(records.map((row) => [row._id, row.count]));
      for (const { _id: workspace, count } of resolutions) {
        const active = counts.get(workspace);
        if (active === undefined) continue;
        if (active - count > 0) counts.set(workspace, active - count);
        else counts.delete(workspace);
      }
      return counts;
    },

    /**
     * The periodic sweep: folds resolutions into their records (`active: false`, in a few writes
     * for every workspace, off the request path), then removes every workspace's records resolved
     * more than a week before `now`, with their resolutions; returns how many records it removed.
     */
    async pruneResolved(now = new Date()): Promise<number> {
      const cutoff = new Date(now.getTime() - KEEP_RESOLVED_MS);
      for (;;) {
        const keys = (
          await IncidentResolution.find({ folded: { $ne: true } }, { _id: 1 })
            .limit(SWEEP_BATCH)
            .lean<{ _id: string }[]>()
        ).map((row) => row._id);
        if (keys.length === 0) break;
        await Incident.updateMany({ _id: { $in: keys }, active: true }, { $set: { active: false } });
        const { modifiedCount } = await IncidentResolution.updateMany({ _id: { $in: keys } }, { $set: { folded: true } });
        if (modifiedCount === 0) break; // another process folded them meanwhile: what is left, the next sweep takes
      }
      const { deletedCount: marked } = await Incident.deleteMany({ active: false, resolvedAt: { $lt: cutoff } });
      const old = (await IncidentResolution.find({ resolvedAt: { $lt: cutoff } }, { _id: 1 }).lean<{ _id: string }[]>()).map((row) => row._id);
      let removed = marked;
      for (let i = 0; i < old.length; i += SWEEP_BATCH) {
        const keys = old.slice(i, i + SWEEP_BATCH);
        removed += (await Incident.deleteMany({ _id: { $in: keys } })).deletedCount;
        await IncidentResolution.deleteMany({ _id: { $in: keys } });
      }
      return removed;
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
      const resolved = await resolutionsOf(
        workspace,
        page.filter((row) => !row.resolvedAt).map((row) => row._id),
      );
      return {
        since,
        incidents: page.map(({ _id, incident, incidentId, startedAt, resolvedAt }) => ({ incident: { ...incident, incidentId }, startedAt, resolvedAt: resolvedAt ?? resolved.get(_id) ?? null })),
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
      // A record still marked active whose resolution the sweep has not folded in yet is resolved.
      const resolved = await resolutionsOf(
        workspace,
        page.map((row) => row._id),
      );
      const earlier = page.length > 0 || (await Incident.exists({ workspace, _id: { $nin: knownKeys } })) !== null;
      return {
        active: page.filter((row) => !resolved.has(row._id)).map((row) => row.incident),
        ...(rows.length > limit ? { next: page[page.length - 1]!._id } : {}),
        earlier,
        ...(manualActivations.length > 0 ? { manualActivations } : {}),
      };
    },
  };
}

export type IncidentRepository = ReturnType<typeof incidentRepository>;
