/**
 * Group commit: writes asked for while others are in flight go to the database together, in
 * the next write. When the database keeps up, each write goes alone and at once (no added
 * wait); under a burst, a thousand reports cost tens of writes instead of a thousand. A batch
 * that fails is written again item by item, so one bad item fails only its own caller, with
 * its own error.
 */
export interface GroupCommitOptions {
  /** Items in one write at most. */
  maxBatch: number;
  /** Writes in flight at once; items asked for beyond wait for the next one. */
  maxInFlight: number;
  /**
   * In a stream of writes (one ended less than this long ago), the next waits until this long after
   * it ended, unless it already has `maxBatch` items, so that it carries more. A write after a quiet
   * moment goes at once.
   */
  lingerMs?: number;
}

export function groupCommit<T>(write: (items: T[]) => Promise<void>, options: GroupCommitOptions): (item: T) => Promise<void> {
  type Waiting = { item: T; resolve: () => void; reject: (err: unknown) => void };
  const queue: Waiting[] = [];
  let inFlight = 0;
  let lastEnded = -Infinity;
  let lingering: ReturnType<typeof setTimeout> | undefined;

  async function commit(batch: Waiting[]): Promise<void> {
    try {
      await write(batch.map((w) => w.item));
      for (const w of batch) w.resolve();
    } catch (err) {
      if (batch.length === 1) {
        batch[0]!.reject(err);
        return;
      }
      // Which item failed is not known: each is written alone, with its own outcome.
      await Promise.all(
        batch.map((w) =>
          write([w.item]).then(
            () => w.resolve(),
            (itemErr: unknown) => w.reject(itemErr),
          ),
        ),
      );
    }
  }

  function pump(): void {
    while (inFlight < options.maxInFlight && queue.length > 0) {
      const wait = options.lingerMs ? lastEnded + options.lingerMs - Date.now() : 0;
      if (wait > 0 && queue.length < options.maxBatch) {
        lingering ??= setTimeout(() => {
          lingering = undefined;
          pump();
        }, wait);
        return;
      }
      const batch = queue.splice(0, options.maxBatch);
      inFlight++;
      void commit(batch).finally(() => {
        inFlight--;
        lastEnded = Date.now();
        pump();
      });
    }
  }

  return (item) =>
    new Promise<void>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      pump();
    });
}

/**
 * Updates (or upserts) group-committed as one bulk write per batch. The batches stay small for
 * FerretDB on PostgreSQL: it keeps one pool connection per statement that matched a document
 * until the whole command ends (a `defer` in its update loop) and needs a second to write, so an
 * update command with as many statements as its pool (50) hangs it, and fewer at once can.
 */
export function groupCommitUpdates<Op>(bulkWrite: (ops: Op[]) => Promise<unknown>): (op: Op) => Promise<void> {
  return groupCommit(async (ops: Op[]) => {
    await bulkWrite(ops);
  }, UPDATE_BATCHING);
}

/**
 * In a stream each write waits 25 ms after the last: a burst's thousand incident records and key uses
 * went in 1,217 update commands (FerretDB's metrics) when each went as soon as a slot was free.
 */
export const UPDATE_BATCHING: GroupCommitOptions = { maxBatch: 8, maxInFlight: 2, lingerMs: 25 };
/**
 * For inserts (audit records, kept incident reports): one in flight, so everything asked for meanwhile goes
 * in the next, and in a stream each write waits 50 ms after the last so that it carries more. Each command
 * has a cost of its own (a round trip; FerretDB also takes a connection per insert command). Counted in the
 * bench (FerretDB's metrics) for the 1,000 audit records of a burst's withdrawals: 812 insert commands with
 * four in flight, 745 to 960 with one (a write rarely had to wait, so it went alone), 162 to 227 with the
 * wait. FerretDB's own CPU fell less than its commands did (about 3.5 to 2.8-3.0 s a wave): there, most of
 * the cost is per document.
 */
export const INSERT_BATCHING: GroupCommitOptions = { maxBatch: 200, maxInFlight: 1, lingerMs: 50 };
