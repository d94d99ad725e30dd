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
 *
 * Each kind also has a head (`change_heads`): a token every note replaces once its entry is
 * written. A read first reads the head; while the token is the one of its last read (no note
 * landed since), it answers from that read without reading the log. FerretDB hands PostgreSQL only
 * the kind, not the time, and decodes every entry of the kind for every read: after the bench's
 * bulk creation of 1,000 workspaces, the feeds' polls decoded about 1,300 entries each, 20,000 to
 * 32,000 per burst wave, most of FerretDB's work in a wave of resolves (sixteenth session). The log
 * is read anyway once its last read is `rereadMs` old (30 s, half the look-back), so an entry whose
 * writer stopped before replacing the head is still seen within the look-back.
 */
import { randomUUID } from 'node:crypto';
import { LOOKBACK_MS } from './change-feed';
import { isDuplicateKey } from './errors';
import type { Models } from './models';

export const CHANGE_KINDS = ['api_key', 'workspace', 'integration'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/** How long entries are kept: twice the feeds' look-back (store/change-feed.ts). */
export const KEEP_CHANGES_MS = 2 * LOOKBACK_MS;
/** How often each API process removes older entries. */
export const PRUNE_CHANGES_EVERY_MS = 60_000;
/** How old a read answered from may be before the log is read again, whatever the head says: half the look-back. */
export const REREAD_CHANGES_MS = LOOKBACK_MS / 2;

/** One entry of the log: which document (`ref`) changed, and the entry's own id (a feed acts on each entry once). */
export interface ChangeEntry {
  entry: string;
  ref: string;
}

/** What one read found: the head's token before it, its `since`, and the entries (with their times). */
interface LastRead {
  token: string | null;
  since: Date;
  at: number;
  entries: (ChangeEntry & { at: Date })[];
}

export function changeLog({ Change, ChangeHead }: Models, options: { rereadMs?: number } = {}) {
  const rereadMs = options.rereadMs ?? REREAD_CHANGES_MS;
  /** The last read of each kind through this log. */
  const lastReads = new Map<ChangeKind, LastRead>();

  const upsertHead = (kind: ChangeKind) => ChangeHead.updateOne({ _id: kind }, { $set: { token: randomUUID() } }, { upsert: true });
  const replaceHead = (kind: ChangeKind) =>
    upsertHead(kind).catch((err: unknown) => {
      if (!isDuplicateKey(err)) throw err;
      return upsertHead(kind); // two first writers of a kind raced to create its head
    });
  const note = async (kind: ChangeKind, ref: string): Promise<void> => {
    await Change.create({ kind, ref, at: new Date() });
    await replaceHead(kind); // after the entry: a feed that sees the new token reads the log and finds the entry
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
     * The entries of one kind noted at or after `since`, oldest first. While the kind's head still
     * has the token read before the last read (which reached back at least as far, less than
     * `rereadMs` ago), from that read; else from the log. The database filters: MongoDB answers
     * from the (kind, at) index; FerretDB on PostgreSQL hands the kind down to PostgreSQL and
     * filters the time itself. Read whole and filtered here (before the twelfth session), every
     * poll of every feed decoded the whole log: after the bench's bulk creation of 1,211 workspaces
     * (about 4,000 entries) that kept the database at a quarter to two fifths of a core, idle, for two minutes.
     */
    async since(kind: ChangeKind, since: Date): Promise<ChangeEntry[]> {
      const head = await ChangeHead.findById(kind).select({ token: 1 }).lean<{ token: string }>();
      const token = head?.token ?? null;
      let last = lastReads.get(kind);
      if (!last || last.token !== token || since < last.since || Date.now() - last.at >= rereadMs) {
        const at = Date.now();
        const rows = await Change.find({ kind, at: { $gte: since } })
          .select({ ref: 1, at: 1 })
          .lean<{ _id: unknown; ref: string; at: Date }[]>();
        const entries = rows.sort((a, b) => a.at.getTime() - b.at.getTime()).map((row) => ({ entry: String(row._id), ref: row.ref, at: row.at }));
        last = { token, since, at, entries };
        lastReads.set(kind, last);
      }
      return last.entries.filter((e) => e.at >= since).map(({ entry, ref }) => ({ entry, ref }));
    },

    /** Removes entries older than KEEP_CHANGES_MS and, when it removed any, replaces every head (reads see the log as it is); returns how many. */
    async prune(now = new Date()): Promise<number> {
      const { deletedCount } = await Change.deleteMany({ at: { $lt: new Date(now.getTime() - KEEP_CHANGES_MS) } });
      if (deletedCount > 0) await Promise.all(CHANGE_KINDS.map((kind) => replaceHead(kind)));
      return deletedCount;
    },
  };
}

export type ChangeLog = ReturnType<typeof changeLog>;
