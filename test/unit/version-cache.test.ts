/**
 * Configuration versions as reports read them (api/version-cache.ts), on a scripted store: a
 * version is read once and remembered; a change another process made reaches the cache through
 * the feed; while the feed does not answer every report reads again; an unknown workspace is
 * never remembered.
 */
import { cachedConfigVersions } from '../../api/version-cache';

function store() {
  const state = { reads: 0, polls: 0, feedDown: false, versions: new Map<string, number>([['ws', 2]]), changed: [] as string[] };
  return {
    state,
    configVersion: (id: string) => {
      state.reads++;
      return Promise.resolve(state.versions.get(id));
    },
    changedSince: () => {
      state.polls++;
      return state.feedDown ? Promise.reject(new Error('MongoNetworkError')) : Promise.resolve(state.changed);
    },
  };
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 2_000 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(condition()).toBe(true);
}

test('a version is read once and remembered; a change made elsewhere arrives through the feed', async () => {
  const source = store();
  const cache = cachedConfigVersions(source, { pollMs: 200 });
  try {
    await until(() => source.state.polls >= 1);
    for (let i = 0; i < 5; i++) expect(await cache.versionOf('ws')).toBe(2);
    expect(source.state.reads).toBe(1);
    source.state.versions.set('ws', 3); // through another API process
    source.state.changed = ['ws'];
    const polls = source.state.polls;
    await until(() => source.state.polls >= polls + 2);
    source.state.changed = [];
    await until(() => source.state.polls >= polls + 3);
    expect(await cache.versionOf('ws')).toBe(3); // read again once
    expect(await cache.versionOf('ws')).toBe(3);
    expect(source.state.reads).toBe(2);
    expect(await cache.versionOf('gone')).toBeUndefined();
    expect(await cache.versionOf('gone')).toBeUndefined();
    expect(source.state.reads).toBe(4);
  } finally {
    cache.stop();
  }
});

test('while the feed does not answer, every report reads the version again', async () => {
  const source = store();
  const cache = cachedConfigVersions(source, { pollMs: 200 });
  try {
    await until(() => source.state.polls >= 1);
    await cache.versionOf('ws');
    source.state.feedDown = true;
    const polls = source.state.polls;
    await until(() => source.state.polls >= polls + 4);
    source.state.versions.set('ws', 5);
    expect(await cache.versionOf('ws')).toBe(5);
    expect(await cache.versionOf('ws')).toBe(5);
    expect(source.state.reads).toBe(3);
  } finally {
    cache.stop();
  }
});

test('a remembered version is read again after its time to live, even when no change was logged (a process of an older version made it)', async () => {
  const source = store();
  const cache = cachedConfigVersions(source, { pollMs: 200, ttlMs: 1_000 });
  try {
    await until(() => source.state.polls >= 1);
    const readAt = Date.now();
    expect(await cache.versionOf('ws')).toBe(2);
    source.state.versions.set('ws', 7); // not in the change log
    expect(await cache.versionOf('ws')).toBe(2);
    await until(() => Date.now() - readAt > 1_000); // past the time to live
    expect(await cache.versionOf('ws')).toBe(7);
  } finally {
    cache.stop();
  }
});
