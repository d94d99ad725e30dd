/**
 * Carpet bombing in the decision module: thousands of distinct targets. Which integrations an
 * incident triggers is kept incrementally (no scan of every incident per event); these tests
 * check it against a full scan after every event of long random sequences, including
 * configuration changes that move scopes under active incidents, and that the decisions are
 * the ones a workspace under a wide attack must take.
 */
import { WorkspaceEvent, WorkspaceState, decide, decideInPlace, initialState, triggers } from '../../workflows/decide';
import type { IntegrationConfig } from '../../workflows/state';

const T0 = Date.parse('2026-12-01T10:00:00Z');

/** A small deterministic PRNG (mulberry32), so a failure reproduces. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const scanned = (state: WorkspaceState, id: string): number => {
  const integration = state.integrations[id]!;
  return Object.values(state.incidents).filter((incident) => triggers(integration, incident)).length;
};

const SCOPES: IntegrationConfig['scope'][] = ['workspace', ['10.1.0.0/16'], ['10.1.0.0/24', '10.2.0.0/16'], ['10.3.0.0/16'], ['2001:db8::/48']];

test.each([1, 2, 3, 4])('the kept trigger counts equal a full scan after every event (seed %i)', (seed) => {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const ids = ['A', 'B', 'C', 'D'];
  let version = 1;
  const config = (): WorkspaceEvent => ({
    type: 'configChanged',
    now: T0,
    config: {
      version: version++,
      holdDownSeconds: 0,
      integrations: ids.filter(() => next() < 0.85).map((id) => ({ id, type: 'cloudflare', scope: pick(SCOPES), autoDivert: next() < 0.9 })),
    },
  });
  let state: WorkspaceState = { ...initialState('ws'), rules: true };
  state = decide(state, config()).state;
  const open: string[] = [];
  for (let step = 0; step < 600; step++) {
    const roll = next();
    let event: WorkspaceEvent;
    if (roll < 0.5 || open.length === 0) {
      const id = `i${step}`;
      open.push(id);
      const target = pick([`10.1.0.${step % 250}`, `10.2.${step % 250}.1`, `10.3.3.${step % 250}`, `2001:db8::${step.toString(16)}`, '192.0.2.1', undefined]);
      event = { type: 'incidentStarted', now: T0 + step, incident: { incidentId: id, ...(target ? { target } : {}) } };
    } else if (roll < 0.9) {
      const [id] = open.splice(Math.floor(next() * open.length), 1);
      event = { type: 'incidentResolved', now: T0 + step, incidentId: id as string };
    } else event = config();
    state = decide(state, event).state;
    if ((state.incidentCount ?? Object.keys(state.incidents).length) !== Object.keys(state.incidents).length) throw new Error(`step ${step} (${event.type}): incidentCount ${state.incidentCount}`);
    // Now and then, a state as a run before the counts carried it: they are counted again.
    if (next() < 0.05) {
      delete state.incidentCount;
      delete state.integrations[pick(Object.keys(state.integrations))]?.triggeredBy;
    }
    for (const id of Object.keys(state.integrations)) {
      const kept = state.integrations[id]!.triggeredBy ?? scanned(state, id);
      if (kept !== scanned(state, id)) throw new Error(`step ${step} (${event.type}): ${id} counts ${kept}, a scan finds ${scanned(state, id)}`);
    }
  }
});

test('a carpet bomb of 20,000 targets diverts the integrations whose prefixes are hit, and withdraws once every one resolved', () => {
  let state: WorkspaceState = { ...initialState('ws'), rules: true };
  const integrations: IntegrationConfig[] = [
    { id: 'hit', type: 'cloudflare', scope: ['10.20.0.0/16'], minActiveSeconds: 0 },
    { id: 'spared', type: 'cloudflare', scope: ['10.99.0.0/16'], minActiveSeconds: 0 },
  ];
  state = decide(state, { type: 'configChanged', now: T0, config: { version: 1, holdDownSeconds: 0, integrations } }).state;
  const ids = Array.from({ length: 20_000 }, (_, i) => `t${i}`);
  let activations = 0;
  ids.forEach((incidentId, i) => {
    // In place, as the workflow does (decide's copy is for callers that keep the old state).
    const decision = decideInPlace(state, { type: 'incidentStarted', now: T0 + i, incident: { incidentId, target: `10.20.${Math.floor(i / 250)}.${i % 250}` } });
    activations += decision.commands.filter((c) => c.kind === 'runOperation' && c.op === 'activate').length;
    state = decision.state;
  });
  expect(activations).toBe(1);
  expect(state.integrations.hit).toMatchObject({ desired: 'active', triggeredBy: 20_000 });
  expect(state.integrations.spared).toMatchObject({ desired: 'inactive', triggeredBy: 0 });
  state = decide(state, { type: 'operationFinished', now: T0 + 20_000, integrationId: 'hit', seq: 1, diverted: true, attempts: 1 }).state;
  let withdrawals = 0;
  ids.forEach((incidentId, i) => {
    const decision = decideInPlace(state, { type: 'incidentResolved', now: T0 + 30_000 + i, incidentId });
    withdrawals += decision.commands.filter((c) => c.kind === 'runOperation' && c.op === 'withdraw').length;
    // Never withdrawn while one target is still under attack.
    if (i < ids.length - 1) expect(withdrawals).toBe(0);
    state = decision.state;
  });
  expect(withdrawals).toBe(1);
  expect(state.integrations.hit!.triggeredBy).toBe(0);
});
