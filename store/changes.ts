/**
 * The change log: a writer notes which document it changes (a key created or revoked, a
 * workspace's configuration, an integration) before the write and again once it landed, and the
 * change feeds of every API and worker process (store/change-feed.ts) read the entries of the
 * last minute or so and re-read (or forget) each document the first time they see an entry for
 * it. Two notes, because a feed that sees the first one may read the document before the write
 * lands; the second one, seen after the write, makes it read again. A writer that stops between
 * the write and its second note leaves the document to the caches' periodic reload (their time to
 * live). Entries older than two minutes (twice the feeds' look-back) are removed by every API
 * process once a minute (no TTL index: FerretDB has none): FerretDB scans the log for every read,
 * so it must stay small even after a bulk change (the bench's 1,211 integrations, created in 20 s,
 * left 2,400 entries that every poll of every process read for ten minutes while they were kept that long).
 */
import { LOOKBACK_MS } from './change-feed';
import type { Models } from './models';

export type ChangeKind = 'api_key' | 'workspace' | 'integration';

/** How long entries are kept: twice the feeds' look-back (store/change-feed.ts). */
export const KEEP_CHANGES_MS = 2 * LOOKBACK_MS;
/** How often each API process removes older entries. */
export const PRUNE_CHANGES_EVERY_MS = 60_000;

/** One entry of the log: which document (`ref`) changed, and the entry's own id (a feed acts on each entry once). */
export interface ChangeEntry {
  entry: string;
  ref: string;
}

export function changeLog({ Change }: Models) {
  const note = async (kind: ChangeKind, ref: string): Promise<void> => {
    await Change.create({ kind, ref, at: new Date() });
  };
  return {
    note,

    /**
     * Runs a write between two notes (see above). The second note is best effort: the write has
     * landed, and failing the caller for the log would hide that; the caches' reload catches up.
     */
    async around<T>(kind: ChangeKind, ref: string, write: () => Promise<T>): Promise<T> {
      await note(kind, ref);
      const result = await write();
      await note(kind, ref).catch(() => undefined);
      return result;
    },

    /**
     * The entries of one kind noted at or after `since`, oldest first. The database filters: MongoDB
     * answers from the (kind, at) index; FerretDB on PostgreSQL hands the kind down to PostgreSQL and
     * filters the time itself. Read whole and filtered here (before the twelfth session), every
     * poll of every feed decoded the whole log: after the bench's bulk creation of 1,211 workspaces
     * (about 4,000 entries) that kept the database at a quarter to two fifths of a core, idle, for two minutes.
     */
    async since(kind: ChangeKind, since: Date): Promise<ChangeEntry[]> {
      const rows = await Change.find({ kind, at: { $gte: since } })
        .select({ ref: 1, at: 1 })
        .lean<{ _id: unknown; ref: string; at: Date }[]>();
      return rows.sort((a, b) => a.at.getTime() - b.at.getTime()).map((row) => ({ entry: String(row._id), ref: row.ref }));
    },

    /** Removes entries older than KEEP_CHANGES_MS; returns how many. */
    async prune(now = new Date()): Promise<number> {
      return (await Change.deleteMany({ at: { $lt: new Date(now.getTime() - KEEP_CHANGES_MS) } })).deletedCount;
    },
  };
}

export type ChangeLog = ReturnType<typeof changeLog>;
