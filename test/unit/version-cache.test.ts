/**
 * Configuration versions as reports read them (api/version-cache.ts): remembered as records by id
 * (the mechanism's own cases are in record-cache.test.ts); a change another process logged is read
 * again; an unknown workspace is never remembered; without a feed every report reads.
 */
import { cachedConfigVersions } from '../../api/version-cache';
import { eventually } from '../support/eventually';

function store() {
  const state = { reads: 0, polls: 0, versions: new Map<string, number>([['ws', 2]]), changed: [] as { entry: string; ref: string }[] };
  return {
    state,
    configVersion: (id: string) => {
      state.reads++;
      return Promise.resolve(state.versions.get(id));
    },
    changedSince: () => {
      state.polls++;
      return Promise.resolve(state.changed);
    },
  };
}

test('a version is read once and remembered; a change made elsewhere is read again once logged; an unknown workspace is never remembered', async () => {
  const source = store();
  const cache = cachedConfigVersions(source, { pollMs: 200 });
  try {
    await eventually(
      () => source.state.polls,
      (n) => n >= 1,
      { intervalMs: 5 },
    );
    for (let i = 0; i < 5; i++) expect(await cache.versionOf('ws')).toBe(2);
    expect(source.state.reads).toBe(1);
    source.state.versions.set('ws', 3); // through another API process
    source.state.changed = [{ entry: 'c1', ref: 'ws' }];
    const polls = source.state.polls;
    await eventually(
      () => source.state.polls,
      (n) => n >= polls + 2,
      { intervalMs: 5 },
    );
    source.state.changed = [];
    await eventually(
      () => source.state.polls,
      (n) => n >= polls + 3,
      { intervalMs: 5 },
    );
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

test('without a feed, every report reads its version', async () => {
  const source = store();
  const cache = cachedConfigVersions(source, { pollMs: 0 });
  expect([await cache.versionOf('ws'), await cache.versionOf('ws')]).toEqual([2, 2]);
  expect(source.state).toMatchObject({ reads: 2, polls: 0 });
  cache.stop();
});
