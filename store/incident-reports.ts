/**
 * The intake outbox: incident reports accepted by the API and not yet delivered to the
 * workspace's workflow, oldest first. A report is removed once delivered; one delivered twice
 * (the API stopped between the signal and the removal) is harmless, because the workflow is
 * idempotent on incident IDs. No TTL index or transaction: it runs on FerretDB too.
 */
import { Types } from 'mongoose';
import { INSERT_BATCHING, groupCommit, groupCommitUpdates } from './group-commit';
import type { IncidentReport } from '../workflows/messages';
import type { Models } from './models';

/** What a detector reported, as the workflow's signal will carry it (`requestId` for log correlation only). */
export type { IncidentReport };

export type QueuedReport = IncidentReport & { id: string; workspace: string; receivedAt: Date; attempts: number; lastError: string | null };

interface Raw {
  _id: Types.ObjectId;
  workspace: string;
  kind: IncidentReport['kind'];
  payload: unknown;
  receivedAt: Date;
  attempts: number;
  lastError: string | null;
}

const toQueued = (raw: Raw): QueuedReport =>
  ({ id: raw._id.toHexString(), workspace: raw.workspace, kind: raw.kind, payload: raw.payload, receivedAt: raw.receivedAt, attempts: raw.attempts, lastError: raw.lastError }) as QueuedReport;

export function incidentReportRepository({ IncidentReport }: Models) {
  type Doc = Omit<Raw, 'payload'> & { payload: IncidentReport['payload'] };
  const insert = groupCommit<Doc>(async (docs) => {
    await IncidentReport.collection.insertMany(docs, { ordered: false });
  }, INSERT_BATCHING);
  // When Temporal goes away under a burst, every request's delivery fails at once: batches, not hundreds of
  // concurrent updates (on FerretDB those exhaust its PostgreSQL pool and hang it).
  const update = groupCommitUpdates((ops: Parameters<typeof IncidentReport.collection.bulkWrite>[0]) => IncidentReport.collection.bulkWrite(ops, { ordered: false }));
  return {
    /** A new report's id (ids sort in the order this process makes them). */
    newId: (): string => new Types.ObjectId().toHexString(),

    /**
     * Keeps a report; resolves once it is stored (durable before the API answers). A report
     * already stored under this id is a duplicate-key error (the caller's earlier try was kept).
     */
    async add(workspace: string, report: IncidentReport, id = new Types.ObjectId().toHexString(), receivedAt = new Date()): Promise<string> {
      await insert({ _id: new Types.ObjectId(id), workspace, kind: report.kind, payload: report.payload, receivedAt, attempts: 0, lastError: null });
      return id;
    },

    async remove(id: string): Promise<void> {
      await IncidentReport.deleteOne({ _id: new Types.ObjectId(id) });
    },

    /** Delivered reports, removed together (one write for a burst of deliveries). */
    async removeMany(ids: string[]): Promise<void> {
      await IncidentReport.deleteMany({ _id: { $in: ids.map((id) => new Types.ObjectId(id)) } });
    },

    /** A delivery failed: counted and noted (together with others failing at the same moment). */
    async failed(id: string, error: string): Promise<void> {
      await update({ updateOne: { filter: { _id: new Types.ObjectId(id) }, update: { $inc: { attempts: 1 }, $set: { lastError: error.slice(0, 500) } } } });
    },

    /** The oldest undelivered reports of every workspace, in the order they were received. */
    async oldest(limit: number): Promise<QueuedReport[]> {
      const rows = await IncidentReport.find().sort({ receivedAt: 1, _id: 1 }).limit(limit).lean<Raw[]>();
      return rows.map(toQueued);
    },

    /** A workspace's undelivered reports, oldest first. */
    async pendingFor(workspace: string, limit: number): Promise<QueuedReport[]> {
      const rows = await IncidentReport.find({ workspace }).sort({ receivedAt: 1, _id: 1 }).limit(limit).lean<Raw[]>();
      return rows.map(toQueued);
    },

    /** How many reports of the workspace wait, and since when. */
    async queueOf(workspace: string): Promise<{ queued: number; oldestAt: Date | null }> {
      const [queued, oldest] = await Promise.all([
        IncidentReport.countDocuments({ workspace }),
        IncidentReport.findOne({ workspace }).sort({ receivedAt: 1 }).select({ receivedAt: 1 }).lean<{ receivedAt: Date }>(),
      ]);
      return { queued, oldestAt: oldest?.receivedAt ?? null };
    },

    /** Every workspace's waiting reports together (for /metrics). */
    async totals(): Promise<{ queued: number; oldestAt: Date | null }> {
      const [queued, oldest] = await Promise.all([IncidentReport.countDocuments({}), IncidentReport.findOne({}).sort({ receivedAt: 1 }).select({ receivedAt: 1 }).lean<{ receivedAt: Date }>()]);
      return { queued, oldestAt: oldest?.receivedAt ?? null };
    },
  };
}

export type IncidentReportRepository = ReturnType<typeof incidentReportRepository>;
