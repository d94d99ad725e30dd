/** Group commit (store/group-commit.ts): alone when idle, together under load, failures isolated. */
import { INSERT_BATCHING, groupCommit } from '../../store/group-commit';

/** A write whose completion the test controls. */
function controlledWrite() {
  const writes: { items: number[]; finish: (err?: Error) => void }[] = [];
  const write = (items: number[]) =>
    new Promise<void>((resolve, reject) => {
      writes.push({ items, finish: (err) => (err ? reject(err) : resolve()) });
    });
  return { writes, write };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

test('with the database idle an item is written at once, alone; items asked for while writes are in flight go together in the next', async () => {
  const { writes, write } = controlledWrite();
  const add = groupCommit(write, { maxBatch: 3, maxInFlight: 1 });
  const first = add(1);
  expect(writes.map((w) => w.items)).toEqual([[1]]);
  const rest = [2, 3, 4, 5].map(add);
  await flush();
  expect(writes).toHaveLength(1); // waiting for the one in flight
  writes[0]!.finish();
  await first;
  await flush();
  expect(writes.map((w) => w.items)).toEqual([[1], [2, 3, 4]]); // at most maxBatch together
  writes[1]!.finish();
  await flush();
  expect(writes.map((w) => w.items)).toEqual([[1], [2, 3, 4], [5]]);
  writes[2]!.finish();
  await Promise.all(rest);
});

test('up to maxInFlight writes run at once', async () => {
  const { writes, write } = controlledWrite();
  const add = groupCommit(write, { maxBatch: 10, maxInFlight: 2 });
  const all = [1, 2, 3, 4].map(add);
  expect(writes.map((w) => w.items)).toEqual([[1], [2]]);
  writes.forEach((w) => w.finish());
  await flush();
  expect(writes.map((w) => w.items)).toEqual([[1], [2], [3, 4]]);
  writes[2]!.finish();
  await Promise.all(all);
});

test('a failed batch is written again item by item: only the bad item fails, with its own error', async () => {
  const seen: number[][] = [];
  const add = groupCommit(
    (items: number[]) => {
      seen.push(items);
      return items.includes(13) ? Promise.reject(new Error(items.length === 1 ? 'item 13 is invalid' : 'batch refused')) : Promise.resolve();
    },
    { maxBatch: 10, maxInFlight: 1 },
  );
  const outcomes = Promise.allSettled([0, 12, 13, 14].map(add));
  const settled = await outcomes;
  expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
  expect((settled[2] as PromiseRejectedResult).reason).toEqual(new Error('item 13 is invalid'));
  expect(seen).toEqual([[0], [12, 13, 14], [12], [13], [14]]);
});

test('inserts (audit records, kept reports): while one is in flight, every record asked for goes in the next, 50 ms after it', async () => {
  jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick'] });
  try {
    const { writes, write } = controlledWrite();
    const add = groupCommit(write, INSERT_BATCHING);
    const all = Array.from({ length: 10 }, (_, i) => add(i));
    await flush();
    expect(writes.map((w) => w.items)).toEqual([[0]]);
    writes[0]!.finish();
    await flush();
    jest.advanceTimersByTime(50);
    expect(writes.map((w) => w.items)).toEqual([[0], [1, 2, 3, 4, 5, 6, 7, 8, 9]]);
    writes[1]!.finish();
    await Promise.all(all);
  } finally {
    jest.useRealTimers();
  }
});

test('in a stream of writes the next waits lingerMs after the last ended, unless it is full; after a quiet moment a write goes at once', async () => {
  jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick'] });
  try {
    const { writes, write } = controlledWrite();
    const items = () => writes.map((w) => w.items);
    const add = groupCommit(write, { maxBatch: 3, maxInFlight: 1, lingerMs: 50 });
    const first = add(1);
    expect(items()).toEqual([[1]]); // nothing written lately: at once
    const second = [2, 3].map(add);
    writes[0]!.finish();
    await first;
    await flush();
    jest.advanceTimersByTime(49);
    await flush();
    expect(items()).toEqual([[1]]); // gathering
    jest.advanceTimersByTime(1);
    expect(items()).toEqual([[1], [2, 3]]);
    writes[1]!.finish();
    await Promise.all(second);
    // Full before the 50 ms are up: written at once.
    const full = [4, 5, 6].map(add);
    await flush();
    expect(items()).toEqual([[1], [2, 3], [4, 5, 6]]);
    writes[2]!.finish();
    await Promise.all(full);
    // A quiet moment: the next goes at once.
    jest.advanceTimersByTime(50);
    const alone = add(7);
    expect(items()).toEqual([[1], [2, 3], [4, 5, 6], [7]]);
    writes[3]!.finish();
    await alone;
  } finally {
    jest.useRealTimers();
  }
});
