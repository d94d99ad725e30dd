/**
 * The calm gate (issue T), table-tested through the decision module without a server: readings
 * are events, the clock comes with each event, and the commands say what the workflow does.
 */
import { providerFacts } from '../../catalog';
import type { TelemetryReading } from '../../catalog/contract';
import { calmDeadlines, describeDrops } from '../../workflows/calm-gate';
import { Command, WorkspaceEvent, WorkspaceState, decide, initialState, nextDeadline, workspaceView } from '../../workflows/decide';
import type { IntegrationConfig } from '../../workflows/state';

const T0 = Date.parse('2026-12-06T10:00:00Z');
const s = (seconds: number) => T0 + seconds * 1000;
const windows = { minActiveSeconds: 0, reactivateAfterSeconds: 0 };
const CF: IntegrationConfig = { id: 'cf', type: 'cloudflare', ...windows };
const CF2: IntegrationConfig = { id: 'cf2', type: 'cloudflare', ...windows };
const OVH: IntegrationConfig = { id: 'ovh', type: 'ovh', ...windows };
const HETZNER: IntegrationConfig = { id: 'hz', type: 'hetzner', ...windows };

const facts = (...types: string[]) => Object.fromEntries(types.map((type) => [type, providerFacts(type)!]));
const configure = (integrations: IntegrationConfig[], options: { holdDownSeconds?: number; providers?: boolean; version?: number } = {}): WorkspaceEvent => ({
  type: 'configChanged',
  now: s(0),
  config: {
    version: options.version ?? 1,
    holdDownSeconds: options.holdDownSeconds ?? 0,
    integrations,
    ...(options.providers === false ? {} : { providers: facts('cloudflare', 'ovh', 'hetzner') }),
  },
});
const start = (at: number, incidentId = 'i1'): WorkspaceEvent => ({ type: 'incidentStarted', now: s(at), incident: { incidentId } });
const resolve = (at: number, incidentId = 'i1'): WorkspaceEvent => ({ type: 'incidentResolved', now: s(at), incidentId });
const diverted = (integrationId: string, at: number, seq = 1): WorkspaceEvent => ({ type: 'operationFinished', now: s(at), integrationId, seq, diverted: true, attempts: 1 });
const timer = (at: number): WorkspaceEvent => ({ type: 'timerFired', now: s(at) });
const reading = (droppedPps: number, droppedBps: number, extra: Partial<TelemetryReading> = {}): TelemetryReading => ({
  droppedBps,
  droppedPps,
  from: '2026-12-06T09:55:00Z',
  to: '2026-12-06T10:00:00Z',
  source: 'test',
  ...extra,
});
const read = (at: number, integrationId: string, value: TelemetryReading | string): WorkspaceEvent => ({
  type: 'telemetryRead',
  now: s(at),
  results: [typeof value === 'string' ? { integrationId, unavailable: value } : { integrationId, reading: value }],
});

/** Runs events in order; returns the final state and each event's commands. */
function run(events: WorkspaceEvent[], from: WorkspaceState = initialState('ws')): { state: WorkspaceState; commands: Command[][] } {
  let state: WorkspaceState = { ...from, rules: true };
  const commands: Command[][] = [];
  for (const event of events) {
    const decision = decide(state, event);
    state = decision.state;
    commands.push(decision.commands);
  }
  return { state, commands };
}
const kinds = (commands: Command[]) => commands.map((c) => (c.kind === 'runOperation' ? `${c.op}:${c.integrationId}` : `${c.kind}:${'integrationId' in c ? c.integrationId : ''}`));
const view = (state: WorkspaceState, id: string) => workspaceView(state).integrations.find((i) => i.id === id)!;

/** Diverted at 2 s; the first telemetry read is due an interval (60 s) later. */
const divertedCloudflare = [configure([CF]), start(1), diverted('cf', 2)];

describe('the calm gate', () => {
  test('a diversion is read every interval while it is on, one read per provider type for all its integrations', () => {
    const { state, commands } = run([configure([CF, CF2, OVH]), start(1), diverted('cf', 2), diverted('cf2', 2, 1), diverted('ovh', 2, 1), timer(62)]);
    expect(state.nextTelemetryAt).toBe(s(122));
    const reads = commands[5]!.filter((c) => c.kind === 'readTelemetry');
    expect(reads).toEqual([
      { kind: 'readTelemetry', providerType: 'cloudflare', activity: 'cloudflare.readTelemetry', integrationIds: ['cf', 'cf2'] },
      { kind: 'readTelemetry', providerType: 'ovh', activity: 'ovh.readTelemetry', integrationIds: ['ovh'] },
    ]);
    // A read in flight is not sent again.
    expect(run([timer(122)], state).commands[0]!.filter((c) => c.kind === 'readTelemetry')).toEqual([]);
  });

  test('incidents resolve while the provider still drops: the withdrawal is held; calm for the calm period: withdrawn', () => {
    const { state, commands } = run([...divertedCloudflare, timer(62), read(63, 'cf', reading(40_000, 120e6)), resolve(100)]);
    expect(kinds(commands[5]!)).toEqual(['withdrawHeld:cf']);
    const held = commands[5]![0] as Extract<Command, { kind: 'withdrawHeld' }>;
    expect(held.reason).toBe('provider still drops 40 kpps / 120 Mbps (calm is at most 17 pps / 10 Mbps)');
    expect(state.integrations.cf!.desired).toBe('active');
    expect(view(state, 'cf').telemetry).toMatchObject({ status: 'ok', calm: false, withdrawHeld: { reason: held.reason, expired: false } });
    expect(view(state, 'cf').dots).toEqual({ code: 2, status: 'successfully-mitigated' });

    // The drops fall under the thresholds: calm from then on, but not long enough yet.
    const calm = run([timer(122), read(123, 'cf', reading(5, 1e6))], state);
    expect(calm.commands.flat().filter((c) => c.kind === 'runOperation')).toEqual([]);
    expect(view(calm.state, 'cf').telemetry?.withdrawHeld?.reason).toBe('provider calm for 0 s of the 900 s it must stay calm');
    expect(view(calm.state, 'cf').dots?.code).toBe(5);
    // The workflow's timer wakes exactly when the calm period completes (or earlier for a read).
    expect(calmDeadlines(calm.state, calm.state.integrations.cf!).map((d) => d.at)).toContain(s(123 + 900));

    const later = run([timer(1023)], calm.state);
    expect(kinds(later.commands[0]!)).toEqual(['providerCalm:cf', 'withdraw:cf']);
    expect((later.commands[0]![0] as Extract<Command, { kind: 'providerCalm' }>).detail).toMatch(/^Cloudflare network analytics calm for 900 s/);
    expect(calmDeadlines(later.state, later.state.integrations.cf!)).toEqual([]);
  });

  test('a reading above the threshold during the calm period starts it again', () => {
    const { state } = run([...divertedCloudflare, timer(62), read(63, 'cf', reading(1, 1)), resolve(100), timer(122), read(123, 'cf', reading(50_000, 1)), timer(963)]);
    expect(state.integrations.cf!.desired).toBe('active');
    expect(state.integrations.cf!.telemetry?.calmSince).toBeNull();
  });

  test('an ongoing provider event is not calm, whatever the drops', () => {
    const { state, commands } = run([configure([OVH]), start(1), diverted('ovh', 2), timer(62), read(63, 'ovh', reading(0, 0, { ongoingEvents: 1 })), resolve(100)]);
    expect(kinds(commands[5]!)).toEqual(['withdrawHeld:ovh']);
    expect(state.integrations.ovh!.telemetry?.held?.reason).toMatch(/reports 1 ongoing attack event/);
  });

  test('without a reading yet, the withdrawal waits and a read is sent at once', () => {
    const { commands, state } = run([...divertedCloudflare, resolve(10), timer(11)]);
    expect(kinds(commands[3]!)).toEqual(['withdrawHeld:cf', 'readTelemetry:']);
    expect(commands[4]).toEqual([]); // held once, read once
    expect(state.integrations.cf!.telemetry?.held?.since).toBe(s(10));
    expect((commands[3]![0] as Extract<Command, { kind: 'withdrawHeld' }>).reason).toBe('waiting for the first reading of Cloudflare network analytics');
  });

  test('telemetry unavailable: the hold-down rule decides, said once, with the reason', () => {
    const { state, commands } = run([...divertedCloudflare, timer(62), read(63, 'cf', 'the API token lacks Account Analytics Read'), resolve(100)]);
    expect(kinds(commands[5]!)).toEqual(['telemetryUnavailable:cf', 'withdraw:cf']);
    expect((commands[5]![0] as Extract<Command, { kind: 'telemetryUnavailable' }>).reason).toBe(
      'Cloudflare network analytics unavailable (the API token lacks Account Analytics Read): withdrawn on the hold-down rule alone',
    );
    expect(view(state, 'cf').telemetry).toMatchObject({ status: 'unavailable', reason: 'the API token lacks Account Analytics Read' });
  });

  test('a failed telemetry activity counts as unavailable for every integration it asked for', () => {
    const failed: WorkspaceEvent = { type: 'telemetryFailed', now: s(63), integrationIds: ['cf'], error: 'Timeout: provider call timed out' };
    const { commands } = run([...divertedCloudflare, timer(62), failed, resolve(100)]);
    expect(kinds(commands[5]!)).toEqual(['telemetryUnavailable:cf', 'withdraw:cf']);
  });

  test.each([
    ['keep', ['calmWaitExpired:cf'], 'active'],
    ['withdraw', ['calmWaitExpired:cf', 'withdraw:cf'], 'inactive'],
  ] as const)('after the maximum wait (%s): the configured outcome, notified', (outcome, expected, desired) => {
    const integration: IntegrationConfig = { ...CF, calmMaxWaitSeconds: 600, calmOnMaxWait: outcome };
    const held = run([configure([integration]), start(1), diverted('cf', 2), timer(62), read(63, 'cf', reading(40_000, 1)), resolve(100)]);
    expect(nextDeadline(held.state)).toBe(s(122)); // the next read comes before the maximum wait ends
    const { state, commands } = run([timer(700)], held.state);
    expect(kinds(commands[0]!).filter((k) => !k.startsWith('readTelemetry'))).toEqual(expected);
    expect(state.integrations.cf!.desired).toBe(desired);
    // Said once: later events do not repeat it.
    if (outcome === 'keep') expect(kinds(run([timer(760)], state).commands[0]!)).not.toContain('calmWaitExpired:cf');
  });

  test('a new incident while held keeps the diversion and ends the hold; the next resolve holds again', () => {
    const held = run([...divertedCloudflare, timer(62), read(63, 'cf', reading(40_000, 1)), resolve(100)]);
    const again = run([start(110, 'i2')], held.state);
    expect(again.state.integrations.cf!.telemetry?.held).toBeNull();
    expect(kinds(run([resolve(120, 'i2')], again.state).commands[0]!)).toEqual(['withdrawHeld:cf']);
  });

  test('per-integration thresholds replace the provider defaults', () => {
    const lenient: IntegrationConfig = { ...CF, calmDroppedPps: 100_000, calmDroppedBps: 1e9, calmSeconds: 0 };
    const { commands, state } = run([configure([lenient]), start(1), diverted('cf', 2), timer(62), read(63, 'cf', reading(40_000, 120e6)), resolve(100)]);
    expect(kinds(commands[5]!)).toEqual(['providerCalm:cf', 'withdraw:cf']);
    expect(view(state, 'cf').telemetry?.gate).toMatchObject({ droppedPps: 100_000, calmSeconds: 0, why: 'set on the integration' });
  });

  test.each([
    ['a provider without telemetry (Hetzner)', HETZNER, 'none'],
    ['the gate switched off', { ...CF, calmGate: false }, 'off'],
    ['a dry run', { ...CF, dryRun: true }, 'off'],
  ] as const)('%s: no reads, the hold-down rule alone', (_name, integration, status) => {
    const { state, commands } = run([configure([integration]), start(1), diverted(integration.id, 2), timer(62), resolve(100)]);
    expect(commands.flat().filter((c) => c.kind === 'readTelemetry' || c.kind === 'withdrawHeld')).toEqual([]);
    if (!integration.dryRun) expect(kinds(commands[4]!)).toEqual([`withdraw:${integration.id}`]);
    expect(view(state, integration.id).telemetry?.status).toBe(status);
  });

  test('a configuration from before the catalog had telemetry (a recorded history) decides as before', () => {
    const { commands } = run([configure([CF], { providers: false }), start(1), diverted('cf', 2), timer(62), resolve(100)]);
    expect(commands.flat().filter((c) => c.kind === 'readTelemetry' || c.kind === 'withdrawHeld')).toEqual([]);
  });

  test('nothing is read once the diversion is withdrawn', () => {
    const quick: IntegrationConfig = { ...CF, calmSeconds: 0 };
    const { state } = run([
      configure([quick]),
      start(1),
      diverted('cf', 2),
      resolve(10),
      read(11, 'cf', reading(0, 0)),
      { type: 'operationFinished', now: s(12), integrationId: 'cf', seq: 2, diverted: false, attempts: 1 },
    ]);
    expect(state.integrations.cf!.actual).toBe('inactive');
    expect(state.nextTelemetryAt).toBeNull();
    expect(view(state, 'cf').dots).toEqual({ code: 6, status: 'terminated' });
  });
});

describe('DOTS status', () => {
  test('in progress while activating and while triggered; withdrawn by the server after a manual withdraw', () => {
    const activating = run([configure([CF]), start(1)]);
    expect(view(activating.state, 'cf').dots).toEqual({ code: 1, status: 'attack-mitigation-in-progress' });
    const on = run([diverted('cf', 2)], activating.state);
    expect(view(on.state, 'cf').dots?.code).toBe(1);
    const manual = run(
      [
        { type: 'manualAction', now: s(3), integrationId: 'cf', action: 'withdraw' },
        { type: 'operationFinished', now: s(4), integrationId: 'cf', seq: 2, diverted: false, attempts: 1 },
      ],
      on.state,
    );
    expect(view(manual.state, 'cf').dots).toEqual({ code: 7, status: 'withdrawn-by-server' });
    expect(view(run([configure([CF])]).state, 'cf').dots).toBeNull();
  });
});

test('drops read for people', () => {
  expect(describeDrops({ droppedPps: 40_000, droppedBps: 1.25e9 })).toBe('40 kpps / 1.3 Gbps');
  expect(describeDrops({ droppedPps: 3, droppedBps: 999 })).toBe('3 pps / 999 bps');
});

test("the README's calm-gate timeline", () => {
  const at = (clock: string) => (Date.parse(`2026-12-06T${clock}Z`) - T0) / 1000;
  const attack = reading(40_000, 480e6);
  const calm = reading(3, 200e3);
  const cf: IntegrationConfig = { id: 'cf', type: 'cloudflare' }; // the provider's windows: 15 minutes on
  const events: WorkspaceEvent[] = [configure([cf], { holdDownSeconds: 300 }), start(at('10:00:00')), diverted('cf', at('10:00:00'))];
  // A reading every minute, answered at once: the attack until 10:20, calm from 10:21.
  for (let t = at('10:01:00'); t <= at('10:36:00'); t += 60) {
    if (t === at('10:05:00')) events.push(resolve(t));
    events.push(timer(t), read(t, 'cf', t < at('10:21:00') ? attack : calm));
  }
  const { state, commands } = run(events);
  const when = (kind: string) => events[commands.findIndex((list) => kinds(list).some((k) => k.startsWith(kind)))]!.now;
  const clock = (ms: number) => new Date(ms).toISOString().slice(11, 19);
  expect(clock(when('startHoldDown'))).toBe('10:05:00');
  expect(clock(when('withdrawHeld'))).toBe('10:15:00');
  const held = commands.flat().find((c) => c.kind === 'withdrawHeld') as Extract<Command, { kind: 'withdrawHeld' }>;
  expect(held.reason).toBe('provider still drops 40 kpps / 480 Mbps (calm is at most 17 pps / 10 Mbps)');
  expect(clock(when('providerCalm'))).toBe('10:36:00');
  expect(clock(when('withdraw:'))).toBe('10:36:00');
  expect(state.integrations.cf!.desired).toBe('inactive');
});
