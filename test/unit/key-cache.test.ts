/**
 * The API key cache (api/key-cache.ts) on a scripted key store: a valid key is looked up once and
 * remembered; a revocation read by the feed forgets it; while the feed does not answer, remembered
 * keys are trusted for three polls at most; without a feed, the time to live alone bounds them.
 */
import { cachedKeyLookup } from '../../api/key-cache';
import type { ApiKey } from '../../store/api-keys';
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
    revokedSince: () => {
      state.polls++;
      return state.feedDown ? Promise.reject(new Error('MongoNetworkError')) : Promise.resolve(state.revoked ? [key.id] : []);
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
