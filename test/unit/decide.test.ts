/**
 * The decision module's rules, table-driven: each scenario is a list of events,
 * each with the commands it must produce and, optionally, checks on the state. Every
 * scenario runs in the mode new runs use (the provider-aware rules) and in the mode of runs
 * recorded before them (which may still be running until their next continue-as-new).
 */
import { Command, Decision, WorkspaceEvent, WorkspaceState, decide, initialState } from '../../workflows/decide';
import { decideFirstGenerationInPlace } from '../../workflows/first-generation';
import type { IntegrationConfig } from '../../workflows/state';

const T0 = Date.parse('2026-11-27T10:00:00Z');
const s = (seconds: number) => T0 + seconds * 1000;

const A: IntegrationConfig = { id: 'A', type: 'cloudflare' };
const B: IntegrationConfig = { id: 'B', type: 'ovh' };
const V4: IntegrationConfig = { id: 'V4', type: 'hetzner', scope: ['203.0.113.0/24'] };
const V6: IntegrationConfig = { id: 'V6', type: 'cloudflare', scope: ['2001:db8::/32'] };
const MANUAL_ONLY: IntegrationConfig = { id: 'M', type: 'cloudflare', autoDivert: false };

const configure = (integrations: IntegrationConfig[], holdDownSeconds = 300, version = 1, at = 0): WorkspaceEvent => ({
  type: 'configChanged',
  now: s(at),
  config: { version, holdDownSeconds, integrations },
});
const start = (incidentId: string, at: number, target?: string): WorkspaceEvent => ({
  type: 'incidentStarted',
  now: s(at),
  incident: { incidentId, ...(target ? { target } : {}) },
});
const resolve = (incidentId: string, at: number): WorkspaceEvent => ({ type: 'incidentResolved', now: s(at), incidentId });
const finished = (integrationId: string, seq: number, diverted: boolean, at: number): WorkspaceEvent => ({
  type: 'operationFinished',
  now: s(at),
  integrationId,
  seq,
  diverted,
  attempts: 1,
});
const failed = (integrationId: string, seq: number, at: number): WorkspaceEvent => ({
  type: 'operationFailed',
  now: s(at),
  integrationId,
  seq,
  attempts: 3,
  error: { type: 'ProviderUnavailableError', message: 'HTTP 503', nonRetryable: false },
});
const timer = (at: number): WorkspaceEvent => ({ type: 'timerFired', now: s(at) });
const manual = (integrationId: string, action: 'activate' | 'withdraw', at: number): WorkspaceEvent => ({
  type: 'manualAction',
  now: s(at),
  integrationId,
  action,
});

const activate = (integrationId: string, seq: number): Command => ({ kind: 'runOperation', integrationId, op: 'activate', seq });
const withdraw = (integrationId: string, seq: number): Command => ({ kind: 'runOperation', integrationId, op: 'withdraw', seq });
const holdDown = (integrationId: string, at: number): Command => ({ kind: 'startHoldDown', integrationId, until: s(at) });
const cancelHoldDown = (integrationId: string): Command => ({ kind: 'cancelHoldDown', integrationId });
const forget = (integrationId: string): Command => ({ kind: 'forgetIntegration', integrationId });

/** What a step must produce: the same in both modes, or where the rule sets differ, per mode. */
type Expected = Command[] | { rules: Command[]; legacy: Command[] };
type Step = [WorkspaceEvent, Expected, ((state: WorkspaceState) => void)?];

/**
 * The mode new runs use: the provider-aware rules, here without provider windows (minimum on-time,
 * re-activation window; policy.test.ts tests those), with status reads left out of the comparison
 * (reconciliation, policy.test.ts) and hold-down reasons too (they name the rule that set it).
 */
const RULES = { name: 'provider-aware rules (every new run)', rules: true, decide };
const LEGACY = {
  name: 'rules of runs from before provider-policy-v1',
  rules: false,
  decide: (state: WorkspaceState, event: WorkspaceEvent): Decision => decideFirstGenerationInPlace(structuredClone(state), event),
};
type Mode = typeof RULES | typeof LEGACY;

function inMode(event: WorkspaceEvent, mode: Mode): WorkspaceEvent {
  if (!mode.rules || event.type !== 'configChanged') return event;
  return { ...event, config: { ...event.config, integrations: event.config.integrations.map((i) => ({ minActiveSeconds: 0, reactivateAfterSeconds: 0, ...i })) } };
}
const compared = (commands: Command[]): Command[] =>
  commands.filter((c) => c.kind !== 'checkStatus').map((c) => (c.kind === 'startHoldDown' ? { kind: c.kind, integrationId: c.integrationId, until: c.until } : c));

function play(steps: Step[], mode: Mode = RULES): WorkspaceState {
  let state: WorkspaceState = { ...initialState('acme'), ...(mode.rules ? { rules: true } : {}) };
  steps.forEach(([raw, expected, check], index) => {
    const event = inMode(raw, mode);
    const before = JSON.stringify(state);
    const decision = mode.decide(state, event);
    expect(JSON.stringify(state)).toBe(before); // decide never mutates its input
    try {
      expect(compared(decision.commands)).toEqual(Array.isArray(expected) ? expected : mode.rules ? expected.rules : expected.legacy);
      check?.(decision.state);
    } catch (err) {
      throw new Error(`step ${index} (${event.type}): ${(err as Error).message}`);
    }
    state = decision.state;
  });
  return state;
}

const actual = (id: string, value: string) => (st: WorkspaceState) => expect(st.integrations[id]?.actual).toBe(value);

// A table laid out by hand, one step a line: left as written by the formatter.
// prettier-ignore
const scenarios: [string, Step[]][] = [
  ['single attack: divert, hold down, withdraw', [
    [configure([A]), []],
    [start('i1', 1), [activate('A', 1)], actual('A', 'activating')],
    [finished('A', 1, true, 2), [], actual('A', 'active')],
    [resolve('i1', 10), [holdDown('A', 310)], (st) => expect(st.integrations.A?.desired).toBe('active')],
    [timer(309), []],
    [timer(310), [withdraw('A', 2)], actual('A', 'withdrawing')],
    [finished('A', 2, false, 311), [], actual('A', 'inactive')],
  ]],
  ['multi-wave, lull shorter than the hold-down: one diversion', [
    [configure([A]), []],
    [start('w1', 0), [activate('A', 1)]],
    [finished('A', 1, true, 1), []],
    [resolve('w1', 60), [holdDown('A', 360)]],
    [start('w2', 200), [cancelHoldDown('A')], (st) => expect(st.integrations.A?.holdDownUntil).toBeNull()],
    // Flap damping: the second wave in the hour doubles the hold-down (600 s) in new runs.
    [resolve('w2', 400), { rules: [holdDown('A', 1000)], legacy: [holdDown('A', 700)] }],
    [timer(360), []],
    [timer(700), { rules: [], legacy: [withdraw('A', 2)] }],
    [timer(1000), { rules: [withdraw('A', 2)], legacy: [] }],
  ]],
  ['multi-wave, lull longer than the hold-down: withdraw, then divert again', [
    [configure([A], 100), []],
    [start('w1', 0), [activate('A', 1)]],
    [finished('A', 1, true, 1), []],
    [resolve('w1', 10), [holdDown('A', 110)]],
    [timer(110), [withdraw('A', 2)]],
    [finished('A', 2, false, 111), []],
    [start('w2', 500), [activate('A', 3)]],
  ]],
  ['withdraws only when every incident resolved', [
    [configure([A], 0), []],
    [start('i1', 0), [activate('A', 1)]],
    [start('i2', 1), []],
    [finished('A', 1, true, 2), []],
    [resolve('i1', 3), [], (st) => expect(st.integrations.A?.desired).toBe('active')],
    [resolve('i2', 4), [withdraw('A', 2)]],
  ]],
  ['hold-down 0 withdraws at once', [
    [configure([A], 0), []],
    [start('i1', 0), [activate('A', 1)]],
    [finished('A', 1, true, 1), []],
    [resolve('i1', 2), [withdraw('A', 2)]],
  ]],
  ['duplicate starts are idempotent', [
    [configure([A]), []],
    [start('i1', 0), [activate('A', 1)]],
    [start('i1', 1), [], (st) => expect(Object.keys(st.incidents)).toEqual(['i1'])],
  ]],
  ['a late duplicate start after the resolve is ignored', [
    [configure([A], 0), []],
    [start('i1', 0), [activate('A', 1)]],
    [finished('A', 1, true, 1), []],
    [resolve('i1', 2), [withdraw('A', 2)]],
    [finished('A', 2, false, 3), []],
    [start('i1', 4), [], (st) => expect(st.incidents).toEqual({})],
  ]],
  ['a resolve before its start makes the later start ignored', [
    [configure([A]), []],
    [resolve('i1', 0), [], (st) => expect(st.closedIncidentIds).toEqual(['i1'])],
    [start('i1', 1), [], (st) => expect(st.incidents).toEqual({})],
    [resolve('i1', 2), [], (st) => expect(st.closedIncidentIds).toEqual(['i1'])],
  ]],
  ['scoped integrations: CIDR match for IPv4 and IPv6, no target triggers all', [
    [configure([V4, V6, A]), []],
    [start('v6', 0, '2001:db8::dead'), [activate('V6', 1), activate('A', 1)]],
    [start('out', 1, '198.51.100.7'), []],
    [start('v4', 2, '203.0.113.200'), [activate('V4', 1)]],
    [start('untargeted', 3), []],
  ]],
  ['an incident without a target triggers scoped integrations', [
    [configure([V4]), []],
    [start('i1', 0), [activate('V4', 1)]],
  ]],
  ['autoDivert=false is never triggered automatically', [
    [configure([MANUAL_ONLY]), []],
    [start('i1', 0), [], actual('M', 'inactive')],
  ]],
  ['manual activate stays until an operator withdraws it', [
    [configure([MANUAL_ONLY], 0), []],
    [manual('M', 'activate', 0), [activate('M', 1)], (st) => expect(st.integrations.M?.manual).toBe('activate')],
    [finished('M', 1, true, 1), []],
    [start('i1', 2), []],
    [resolve('i1', 3), [], actual('M', 'active')],
    [timer(1000), []],
    [manual('M', 'withdraw', 1001), [withdraw('M', 2)]],
  ]],
  ['manual withdraw during an attack sticks until a new incident triggers it', [
    [configure([A], 0), []],
    [start('i1', 0), [activate('A', 1)]],
    [finished('A', 1, true, 1), []],
    [manual('A', 'withdraw', 2), [withdraw('A', 2)]],
    [finished('A', 2, false, 3), [], actual('A', 'inactive')],
    [timer(4), []],
    [start('i2', 5), [activate('A', 3)], (st) => expect(st.integrations.A?.manual).toBeNull()],
  ]],
  ['a manual action always calls the provider, even when the state already matches', [
    [configure([A]), []],
    [manual('A', 'withdraw', 0), [withdraw('A', 1)]],
  ]],
  ['one operation in flight per integration; the last intent wins when it finishes', [
    [configure([A], 0), []],
    [start('i1', 0), [activate('A', 1)]],
    [resolve('i1', 1), [], (st) => expect(st.integrations.A?.desired).toBe('inactive')],
    [start('i2', 2), []],
    [resolve('i2', 3), []],
    [finished('A', 1, true, 4), [withdraw('A', 2)]],
  ]],
  ['a manual action during an operation waits for it', [
    [configure([A]), []],
    [start('i1', 0), [activate('A', 1)]],
    [manual('A', 'withdraw', 1), []],
    [finished('A', 1, true, 2), [withdraw('A', 2)]],
  ]],
  ['operation failure, then recovery on the next transition', [
    [configure([A]), []],
    [start('i1', 0), [activate('A', 1)]],
    [failed('A', 1, 30), [], (st) => {
      expect(st.integrations.A).toMatchObject({ actual: 'failed', attempts: 3, lastError: { type: 'ProviderUnavailableError' } });
      expect(Object.keys(st.incidents)).toEqual(['i1']);
    }],
    [timer(40), []],
    [start('i2', 50), [activate('A', 2)]],
    [finished('A', 2, true, 51), [], (st) => expect(st.integrations.A?.lastError).toBeNull()],
  ]],
  ['a failed activation is withdrawn once the attack is over', [
    [configure([A], 0), []],
    [start('i1', 0), [activate('A', 1)]],
    [failed('A', 1, 30), []],
    [resolve('i1', 40), [withdraw('A', 2)]],
  ]],
  ['a manual action retries a failed integration', [
    [configure([A]), []],
    [start('i1', 0), [activate('A', 1)]],
    [failed('A', 1, 30), []],
    [manual('A', 'activate', 40), [activate('A', 2)]],
  ]],
  ['configuration: added integrations join an attack, deleted ones are withdrawn first', [
    [configure([A]), []],
    [start('i1', 0), [activate('A', 1)]],
    [finished('A', 1, true, 1), []],
    [configure([A, B], 300, 2, 2), [activate('B', 1)]],
    [configure([B], 300, 3, 3), [withdraw('A', 2)], (st) => expect(st.integrations.A?.removed).toBe(true)],
    [finished('A', 2, false, 4), [forget('A')], (st) => expect(st.integrations.A).toBeUndefined()],
  ]],
  ['configuration: an inactive deleted integration is forgotten at once; stale snapshots are ignored', [
    [configure([A, B], 300, 5), []],
    [configure([A], 300, 6), [forget('B')]],
    [configure([A, B], 300, 4), [], (st) => expect(Object.keys(st.integrations)).toEqual(['A'])],
  ]],
  ['a deleted integration cannot be activated by hand', [
    [configure([A], 0), []],
    [start('i1', 0), [activate('A', 1)]],
    [configure([], 0, 2), []],
    [manual('A', 'activate', 1), []],
    [finished('A', 1, true, 2), [withdraw('A', 2)]],
  ]],
  ['a stale operation result is ignored', [
    [configure([A]), []],
    [start('i1', 0), [activate('A', 1)]],
    [finished('A', 7, true, 1), [], actual('A', 'activating')],
  ]],
  ['a narrowed scope starts the hold-down', [
    [configure([A], 60), []],
    [start('i1', 0, '192.0.2.1'), [activate('A', 1)]],
    [finished('A', 1, true, 1), []],
    [configure([{ ...A, scope: ['10.0.0.0/8'] }], 60, 2, 10), [holdDown('A', 70)]],
  ]],
];

describe.each([RULES, LEGACY])('decide: $name', (mode) => {
  test.each(scenarios)('%s', (_name, steps) => {
    play(steps, mode);
  });
});

describe('decide', () => {
  test('remembers a bounded number of resolved incident IDs, oldest forgotten first', () => {
    let state = initialState('acme');
    for (let i = 0; i < 1005; i++) state = decide(state, resolve(`r${i}`, i)).state;
    expect(state.closedIncidentIds).toHaveLength(1000);
    expect(state.closedIncidentIds[0]).toBe('r5');
    // r0 fell out of memory: a late start for it counts as a new incident.
    expect(decide(state, start('r0', 2000)).state.incidents.r0).toBeDefined();
  });
});

test('manual actions are numbered; the operation that starts after them serves every one up to the last (none waits on a guessed number)', () => {
  const config: IntegrationConfig = { id: 'a', type: 'cloudflare', minActiveSeconds: 0 };
  let state: WorkspaceState = { ...initialState('ws'), rules: true };
  state = decide(state, { type: 'configChanged', now: T0, config: { version: 1, holdDownSeconds: 0, integrations: [config] } }).state;
  state = decide(state, { type: 'incidentStarted', now: T0, incident: { incidentId: 'i1' } }).state;
  expect(state.integrations.a!.inFlight).toEqual({ op: 'activate', seq: 1 }); // automatic: serves no manual action
  // Two withdrawals while the activation is in flight: numbered 1 and 2, no operation yet.
  state = decide(state, { type: 'manualAction', now: T0 + 1, integrationId: 'a', action: 'withdraw' }).state;
  state = decide(state, { type: 'manualAction', now: T0 + 2, integrationId: 'a', action: 'withdraw' }).state;
  expect(state.integrations.a).toMatchObject({ manualTickets: 2, inFlight: { op: 'activate', seq: 1 } });
  const next = decide(state, { type: 'operationFinished', now: T0 + 3, integrationId: 'a', seq: 1, diverted: true, attempts: 1 });
  expect(next.commands).toContainEqual({ kind: 'runOperation', integrationId: 'a', op: 'withdraw', seq: 2 });
  expect(next.state.integrations.a!.inFlight).toEqual({ op: 'withdraw', seq: 2, manualUpTo: 2 });
  // A third, while that withdrawal runs, is served by the operation after it.
  const third = decide(next.state, { type: 'manualAction', now: T0 + 4, integrationId: 'a', action: 'activate' }).state;
  const after = decide(third, { type: 'operationFailed', now: T0 + 5, integrationId: 'a', seq: 2, error: { type: 'Auth', message: 'no', nonRetryable: true }, attempts: 1 });
  expect(after.state.integrations.a!.inFlight).toEqual({ op: 'activate', seq: 3, manualUpTo: 3 });
});
