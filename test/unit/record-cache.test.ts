/**
 * Records by id (store/record-cache.ts: the worker's integrations, the API's configuration
 * versions), on a scripted store: read once and remembered; a change the feed reports is read
 * again; an absent record is never remembered; while the feed does not answer, every operation
 * reads; a remembered record is read again after its time to live, logged or not.
 */
import { cachedById } from '../../store/record-cache';
import { eventually } from '../support/eventually';

function store() {
  const state = { reads: 0, polls: 0, feedDown: false, records: new Map([['int-1', { token: 'v1' }]]), changed: [] as { entry: string; ref: string }[] };
  return {
    state,
    load: (id: string) => {
      state.reads++;
      return Promise.resolve(state.records.get(id) ?? null);
    },
    changedSince: () => {
      state.polls++;
      return state.feedDown ? Promise.reject(new Error('MongoNetworkError')) : Promise.resolve(state.changed);
    },
  };
}

/** Waits until the feed has polled `count` times in all. */
const polled = (source: ReturnType<typeof store>, count: number) =>
  eventually(
    () => source.state.polls,
    (n) => n >= count,
    { what: `${count} polls`, intervalMs: 5 },
  );

test('a record is read once and remembered; one changed through another process is read again once the feed reports it', async () => {
  const source = store();
  const cache = cachedById(source.load, source.changedSince, { pollMs: 200 });
  try {
    await polled(source, 1);
    for (let i = 0; i < 5; i++) expect(await cache.get('int-1')).toEqual({ token: 'v1' });
    expect(source.state.reads).toBe(1);
    source.state.records.set('int-1', { token: 'v2' });
    source.state.changed = [{ entry: 'c1', ref: 'int-1' }];
    const polls = source.state.polls;
    await polled(source, polls + 2);
    expect(await cache.get('int-1')).toEqual({ token: 'v2' });
    expect(await cache.get('missing')).toBeNull();
    expect(await cache.get('missing')).toBeNull();
    cache.forget('int-1');
    source.state.changed = [];
    await cache.get('int-1');
    expect(source.state.reads).toBeGreaterThanOrEqual(4);
    const reads = source.state.reads;
    await cache.get('int-1');
    expect(source.state.reads).toBe(reads);
  } finally {
    cache.stop();
  }
});

test('while the feed does not answer, every operation reads its record', async () => {
  const source = store();
  const cache = cachedById(source.load, source.changedSince, { pollMs: 200 });
  try {
    await polled(source, 1);
    await cache.get('int-1');
    source.state.feedDown = true;
    const polls = source.state.polls;
    await polled(source, polls + 4);
    await cache.get('int-1');
    await cache.get('int-1');
    expect(source.state.reads).toBe(3);
  } finally {
    cache.stop();
  }
});

test('a fresh read reads the record whatever is remembered, and remembers what it read', async () => {
  const source = store();
  const cache = cachedById(source.load, source.changedSince, { pollMs: 200 });
  try {
    await polled(source, 1);
    expect(await cache.get('int-1')).toEqual({ token: 'v1' });
    source.state.records.set('int-1', { token: 'v2' }); // not logged yet
    expect(await cache.get('int-1')).toEqual({ token: 'v1' });
    expect(await cache.get('int-1', { fresh: true })).toEqual({ token: 'v2' });
    expect(await cache.get('int-1')).toEqual({ token: 'v2' });
    expect(source.state.reads).toBe(2);
  } finally {
    cache.stop();
  }
});

test('a remembered record is read again after its time to live, even when no change was logged (a process from before the change log made it)', async () => {
  const source = store();
  const cache = cachedById(source.load, source.changedSince, { pollMs: 200, ttlMs: 1_000 });
  try {
    await polled(source, 1);
    const readAt = Date.now();
    expect(await cache.get('int-1')).toEqual({ token: 'v1' });
    source.state.records.set('int-1', { token: 'v2' }); // not in the change log
    expect(await cache.get('int-1')).toEqual({ token: 'v1' });
    await eventually(
      () => Date.now() - readAt,
      (ms) => ms > 1_000,
      { what: 'past the time to live', intervalMs: 20 },
    );
    expect(await cache.get('int-1')).toEqual({ token: 'v2' });
  } finally {
    cache.stop();
  }
});

test('an entry of the change log is acted on once: seen again at later polls, it does not make the record read again', async () => {
  const source = store();
  const cache = cachedById(source.load, source.changedSince, { pollMs: 200 });
  try {
    await polled(source, 1);
    await cache.get('int-1');
    source.state.records.set('int-1', { token: 'v2' });
    source.state.changed = [{ entry: 'c1', ref: 'int-1' }];
    await polled(source, source.state.polls + 2);
    expect(await cache.get('int-1')).toEqual({ token: 'v2' });
    await polled(source, source.state.polls + 3); // c1 is still in the look-back window
    expect(await cache.get('int-1')).toEqual({ token: 'v2' });
    expect(source.state.reads).toBe(2);
    // The writer's second note (after its write): read again once more.
    source.state.records.set('int-1', { token: 'v3' });
    source.state.changed = [...source.state.changed, { entry: 'c2', ref: 'int-1' }];
    await polled(source, source.state.polls + 2);
    expect(await cache.get('int-1')).toEqual({ token: 'v3' });
    expect(source.state.reads).toBe(3);
  } finally {
    cache.stop();
  }
});

test('with bulk reads, the cache starts warm and reads what the log names ahead of any request: no read by id', async () => {
  const source = store();
  const bulkReads: string[] = [];
  const bulk = {
    all: () => {
      bulkReads.push('all');
      return Promise.resolve(new Map(source.state.records));
    },
    some: (ids: string[]) => {
      bulkReads.push(ids.join(','));
      return Promise.resolve(new Map([...source.state.records].filter(([id]) => ids.includes(id))));
    },
  };
  const cache = cachedById(source.load, source.changedSince, { pollMs: 200 }, bulk);
  try {
    await polled(source, 1);
    await eventually(
      () => bulkReads,
      (reads) => reads.includes('all'),
      { what: 'the bulk read at start', intervalMs: 5 },
    );
    expect(await cache.get('int-1')).toEqual({ token: 'v1' });
    source.state.records.set('int-2', { token: 'new' }); // created through another process, and noted
    source.state.records.set('int-1', { token: 'v2' });
    source.state.changed = [
      { entry: 'c1', ref: 'int-2' },
      { entry: 'c2', ref: 'int-1' },
    ];
    await eventually(
      () => bulkReads,
      (reads) => reads.includes('int-2,int-1'),
      { what: 'the changed records read ahead', intervalMs: 5 },
    );
    await polled(source, source.state.polls + 2);
    expect(await cache.get('int-2')).toEqual({ token: 'new' });
    expect(await cache.get('int-1')).toEqual({ token: 'v2' });
    expect(source.state.reads).toBe(0);
    expect(bulkReads).toEqual(['all', 'int-2,int-1']);
  } finally {
    cache.stop();
  }
});

test('a read that began before its record was forgotten is not remembered (it may predate the change)', async () => {
  let answer: (record: { token: string }) => void = () => undefined;
  let reads = 0;
  let polls = 0;
  const cache = cachedById(
    () => {
      reads++;
      return reads === 1 ? new Promise<{ token: string }>((resolve) => (answer = resolve)) : Promise.resolve({ token: 'v2' });
    },
    () => {
      polls++;
      return Promise.resolve([]);
    },
    { pollMs: 200 },
  );
  try {
    await eventually(
      () => polls,
      (n) => n >= 1,
      { what: 'the first poll', intervalMs: 5 },
    );
    const first = cache.get('int-1');
    cache.forget('int-1'); // changed while the read was under way
    answer({ token: 'v1' });
    expect(await first).toEqual({ token: 'v1' });
    expect(await cache.get('int-1')).toEqual({ token: 'v2' });
    expect(await cache.get('int-1')).toEqual({ token: 'v2' });
    expect(reads).toBe(2);
  } finally {
    cache.stop();
  }
});
