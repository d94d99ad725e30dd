/**
 * The API key cache (api/key-cache.ts) on a scripted key store: a valid key is looked up once and
 * remembered; a revocation read by the feed forgets it; while the feed does not answer, remembered
 * keys are trusted for three polls at most; without a feed, the time to live alone bounds them;
 * with bulk reads, active keys are in memory before their first use, and new ones the log names
 * are read ahead.
 */
import { cachedKeyLookup } from '../../api/key-cache';
import type { ApiKey } from '../../store/api-keys';
import { createHash } from 'node:crypto';
import { eventually } from '../support/eventually';

const key: ApiKey = { id: 'key_1', workspace: 'ws', name: 'detector', role: 'detector', prefix: 'aaaaaaaaaaaa', createdAt: new Date(0), lastUsedAt: null, revokedAt: null };

function keyStore() {
  const state = { lookups: 0, polls: 0, revoked: false, feedDown: false };
  return {
    state,
    authenticate: (token: string) => {
      state.lookups++;
      return Promise.resolve(token === 'good' && !state.revoked ? key : null);
    },
    changedSince: () => {
      state.polls++;
      return state.feedDown ? Promise.reject(new Error('MongoNetworkError')) : Promise.resolve(state.revoked ? [{ entry: 'c1', ref: key.id }] : []);
    },
  };
}

/** Waits until the feed has polled `count` times in all. */
const polled = (source: ReturnType<typeof keyStore>, count: number) =>
  eventually(
    () => source.state.polls,
    (n) => n >= count,
    { what: `${count} polls`, intervalMs: 5 },
  );

test('a valid key is looked up once, then remembered; a revocation the feed reads forgets it', async () => {
  const store = keyStore();
  const lookup = cachedKeyLookup(store, { ttlMs: 300_000, revocationPollMs: 200 });
  try {
    await polled(store, 1);
    for (let i = 0; i < 5; i++) expect(await lookup.authenticate('good')).toEqual(key);
    expect(store.state.lookups).toBe(1);
    store.state.revoked = true; // through another API process
    const polls = store.state.polls;
    await polled(store, polls + 2);
    expect(await lookup.authenticate('good')).toBeNull();
    expect(store.state.lookups).toBe(2);
  } finally {
    lookup.stop();
  }
});

test('while the feed does not answer, remembered keys are trusted for three polls, then looked up on every request', async () => {
  const store = keyStore();
  const lookup = cachedKeyLookup(store, { ttlMs: 300_000, revocationPollMs: 200 });
  try {
    await polled(store, 1);
    await lookup.authenticate('good');
    store.state.feedDown = true;
    const polls = store.state.polls;
    await polled(store, polls + 4);
    await lookup.authenticate('good');
    await lookup.authenticate('good');
    expect(store.state.lookups).toBe(3);
    store.state.feedDown = false; // trusted again once it answers
    const back = store.state.polls;
    await polled(store, back + 2);
    await lookup.authenticate('good');
    await lookup.authenticate('good');
    expect(store.state.lookups).toBe(3);
  } finally {
    lookup.stop();
  }
});

test('an unknown token is never remembered, and without a feed the time to live bounds a remembered key', async () => {
  const store = keyStore();
  const lookup = cachedKeyLookup({ authenticate: store.authenticate }, { ttlMs: 1_000 });
  try {
    expect(await lookup.authenticate('bad')).toBeNull();
    expect(await lookup.authenticate('bad')).toBeNull();
    expect(store.state.lookups).toBe(2);
    const readAt = Date.now();
    await lookup.authenticate('good');
    await lookup.authenticate('good');
    expect(store.state.lookups).toBe(3);
    store.state.revoked = true;
    await eventually(
      () => Date.now() - readAt,
      (ms) => ms > 1_000,
      { what: 'past the time to live', intervalMs: 20 },
    );
    expect(await lookup.authenticate('good')).toBeNull();
  } finally {
    lookup.stop();
  }
});

/** SHA-256 of a token, hex: what the store keeps of a key, and the cache's index. */
const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

test('active keys are read in bulk at start, and a key created elsewhere is read ahead of its first use: no lookup on the request path', async () => {
  const other: ApiKey = { ...key, id: 'key_2', prefix: 'bbbbbbbbbbbb' };
  const state = { lookups: 0, polls: 0, bulkReads: [] as string[], keys: new Map([[key.id, { hash: hashOf('good'), key }]]), log: [] as { entry: string; ref: string }[] };
  const lookup = cachedKeyLookup(
    {
      authenticate: () => {
        state.lookups++;
        return Promise.resolve(null);
      },
      changedSince: () => {
        state.polls++;
        return Promise.resolve(state.log);
      },
      activeKeys: {
        all: () => {
          state.bulkReads.push('all');
          return Promise.resolve(new Map(state.keys));
        },
        some: (ids: string[]) => {
          state.bulkReads.push(ids.join(','));
          return Promise.resolve(new Map([...state.keys].filter(([id]) => ids.includes(id))));
        },
      },
    },
    { ttlMs: 300_000, revocationPollMs: 200 },
  );
  try {
    await polled({ state } as unknown as ReturnType<typeof keyStore>, 1);
    await eventually(
      () => state.bulkReads,
      (reads) => reads.includes('all'),
      { what: 'the bulk read at start', intervalMs: 5 },
    );
    expect(await lookup.authenticate('good')).toEqual(key);
    state.keys.set(other.id, { hash: hashOf('new'), key: other }); // created through another API process
    state.log = [{ entry: 'c1', ref: other.id }];
    await eventually(
      () => state.bulkReads,
      (reads) => reads.includes(other.id),
      { what: 'the new key read ahead', intervalMs: 5 },
    );
    const polls = state.polls;
    await polled({ state } as unknown as ReturnType<typeof keyStore>, polls + 2); // the same entry again: not read again
    expect(await lookup.authenticate('new')).toEqual(other);
    expect(state.lookups).toBe(0);
    expect(state.bulkReads.filter((r) => r === other.id)).toHaveLength(1);
    // Revoked elsewhere (noted before and after the write): forgotten, not read back, looked up (and refused).
    state.keys.delete(other.id);
    state.log = [...state.log, { entry: 'c2', ref: other.id }, { entry: 'c3', ref: other.id }];
    await eventually(
      () => state.bulkReads.filter((r) => r === other.id).length,
      (n) => n >= 2,
      { what: 'the revocation read', intervalMs: 5 },
    );
    expect(await lookup.authenticate('new')).toBeNull();
    expect(state.lookups).toBe(1);
  } finally {
    lookup.stop();
  }
});

test('a lookup that began before its key was revoked here is not remembered', async () => {
  let answer: (k: ApiKey) => void = () => undefined;
  let lookups = 0;
  const lookup = cachedKeyLookup(
    {
      authenticate: () => {
        lookups++;
        return lookups === 1 ? new Promise<ApiKey>((resolve) => (answer = resolve)) : Promise.resolve(null);
      },
    },
    { ttlMs: 300_000, revocationPollMs: 0 },
  );
  const first = lookup.authenticate('good');
  lookup.forget(key.id); // revoked through this process while the lookup was under way
  answer(key);
  expect(await first).toEqual(key); // this request began before the revocation
  expect(await lookup.authenticate('good')).toBeNull();
  expect(lookups).toBe(2);
  lookup.stop();
});
