/**
 * The calm gate end to end (issue T): the real API, worker, Temporal server and adapters against
 * the simulator's traffic model. Incidents resolve while Cloudflare still drops attack traffic:
 * no withdrawal, `withdraw_held` visible; the drops fall under the thresholds for the calm period:
 * withdrawn, `provider.calm` audited. A token without Account Analytics Read: the hold-down rule
 * decides, with the reason shown and audited once. OVH: an ongoing VAC event holds the withdrawal.
 */
import { randomBytes } from 'node:crypto';
import { ADMIN_TOKEN, startApi, type ApiBed } from '../support/api-bed';
import { useBed } from '../support/bed';
import { eventually } from '../support/eventually';
import { workspaceWorkflowId } from '../../workflows/messages';

const bed = useBed();
let api: ApiBed;
const hex = () => randomBytes(16).toString('hex');
const MINUTE = 60_000;
/** The shortest telemetry interval the API accepts. */
const TELEMETRY_SECONDS = 10;
const WAIT = { timeoutMs: 50_000 };

interface Reading {
  droppedPps: number;
  droppedBps: number;
  ongoingEvents?: number;
}
interface IntegrationView {
  id: string;
  actual: string;
  desired: string;
  dots?: { code: number; status: string } | null;
  telemetry?: { status: string; reason?: string; lastReading?: Reading | null; calm?: boolean; withdrawHeld?: { reason: string; since: string } | null };
}
interface AuditEvent {
  action: string;
  integration: string | null;
  outcome: string;
  detail: string | null;
}

/** A workspace with its owner and detector keys, reading telemetry every 10 s, no hold-down. */
async function workspace(id: string): Promise<{ owner: string; detector: string }> {
  const owner = (await api.call('POST', '/v1/workspaces', { token: ADMIN_TOKEN, body: { id, name: id, holdDownSeconds: 0 } })).body.ownerKey.key as string;
  expect((await api.call('PATCH', `/v1/workspaces/${id}`, { token: owner, body: { policy: { telemetrySeconds: TELEMETRY_SECONDS } } })).status).toBe(200);
  const detector = (await api.call('POST', `/v1/workspaces/${id}/api-keys`, { token: owner, body: { name: 'fastnetmon', role: 'detector' } })).body.key as string;
  // Its workflow's histories are replayed when the file ends (and recorded as fixtures with RECORD_HISTORIES=1).
  bed.started.push({ name: `calm-gate-${id}`, handle: bed.env.client.workflow.getHandle(workspaceWorkflowId(id)) });
  return { owner, detector };
}

const integrationIn = async (ws: string, token: string, id: string): Promise<IntegrationView | undefined> =>
  ((await api.call('GET', `/v1/workspaces/${ws}/scrubbing`, { token })).body.integrations as IntegrationView[]).find((i) => i.id === id);
const auditOf = async (ws: string, token: string): Promise<AuditEvent[]> => (await api.call('GET', `/v1/workspaces/${ws}/events?limit=100`, { token })).body.events as AuditEvent[];

beforeAll(async () => {
  api = await startApi(bed);
});
afterAll(() => api?.close());

test('Cloudflare still drops after the incidents resolved: the withdrawal is held, then withdrawn once calm for the calm period', async () => {
  const cf = { accountId: hex(), prefixId: hex(), bgpPrefixId: hex(), token: `cf-secret-${hex()}` };
  bed.secrets.push(cf.token);
  bed.sim.cloudflare.seed({ ...cf, cidr: '198.51.100.0/24' });
  // The attack Cloudflare scrubs, since before the diversion (its analytics lag two minutes).
  const attackSince = Date.now() - 15 * MINUTE;
  bed.sim.cloudflare.setTraffic(cf.accountId, '198.51.100.0/24', { droppedPps: 40_000, droppedBps: 480e6, passedPps: 2_000, passedBps: 20e6 }, attackSince);
  const { owner, detector } = await workspace('calm-cf');
  const created = await api.call('POST', '/v1/workspaces/calm-cf/integrations', {
    token: owner,
    body: {
      type: 'cloudflare',
      name: 'Magic Transit',
      minActiveSeconds: 0,
      reactivateAfterSeconds: 0,
      calmSeconds: 3,
      settings: { accountId: cf.accountId, prefixId: cf.prefixId, bgpPrefixId: cf.bgpPrefixId },
      credentials: { apiToken: cf.token },
    },
  });
  expect(created.status).toBe(201);
  expect(created.body.calmGateInEffect).toMatchObject({ source: 'Cloudflare network analytics', droppedPps: 17, droppedBps: 10_000_000, calmSeconds: 3, why: 'set on the integration' });
  const id = created.body.id as string;
  const advertised = () => bed.sim.cloudflare.bgpPrefix(cf.accountId, cf.prefixId, cf.bgpPrefixId)?.on_demand.advertised;

  await api.withWorker(async () => {
    expect((await api.call('POST', '/v1/workspaces/calm-cf/incidents', { token: detector, body: { id: 'atk-1', target: '198.51.100.7' } })).status).toBe(202);
    await eventually(
      () => integrationIn('calm-cf', detector, id),
      (i) => i?.actual === 'active',
      { what: 'diverted', ...WAIT },
    );
    // The detector sees only clean traffic now and resolves: the provider still drops, so the withdrawal waits.
    expect((await api.call('POST', '/v1/workspaces/calm-cf/incidents/atk-1/resolve', { token: detector })).status).toBe(202);
    const held = await eventually(
      () => integrationIn('calm-cf', detector, id),
      (i) => i?.telemetry?.lastReading != null && i.telemetry.withdrawHeld?.reason.startsWith('provider still drops') === true,
      { what: 'withdrawal held on a reading', ...WAIT },
    );
    expect(held!.telemetry).toMatchObject({ status: 'ok', calm: false, lastReading: { droppedPps: 40_000, droppedBps: 480e6 } });
    expect(held!.telemetry!.withdrawHeld!.reason).toBe('provider still drops 40 kpps / 480 Mbps (calm is at most 17 pps / 10 Mbps)');
    expect(held!.dots).toEqual({ code: 2, status: 'successfully-mitigated' });
    expect(held!.actual).toBe('active');
    expect(advertised()).toBe(true);
    const trail = await eventually(
      () => auditOf('calm-cf', detector),
      (events) => events.some((e) => e.action === 'withdraw.held'),
      { what: 'withdraw.held audited' },
    );
    // Said once, when the hold began (no reading yet: one was taken at once); the state keeps the reason current.
    expect(trail.find((e) => e.action === 'withdraw.held')).toMatchObject({
      integration: id,
      outcome: 'requested',
      detail: 'withdrawal held: waiting for the first reading of Cloudflare network analytics',
    });
    // A later read still sees the attack: still held, still advertised.
    const heldSince = held!.telemetry!.withdrawHeld!.since;
    await eventually(
      () => integrationIn('calm-cf', detector, id),
      (i) => (i?.telemetry?.lastReading as { readAt?: string } | undefined)?.readAt !== (held!.telemetry!.lastReading as { readAt?: string }).readAt,
      { what: 'a second reading', ...WAIT },
    );
    expect(advertised()).toBe(true);

    // Cloudflare stops dropping (the whole analytics window calm): withdrawn after the calm period.
    bed.sim.cloudflare.setTraffic(cf.accountId, '198.51.100.0/24', { passedPps: 2_000, passedBps: 20e6 }, Date.now() - 10 * MINUTE);
    const withdrawn = await eventually(
      () => integrationIn('calm-cf', detector, id),
      (i) => i?.actual === 'inactive',
      { what: 'withdrawn once calm', ...WAIT },
    );
    expect(withdrawn!.dots).toEqual({ code: 6, status: 'terminated' });
    expect(withdrawn!.telemetry).toMatchObject({ status: 'ok', calm: true, lastReading: { droppedPps: 0, droppedBps: 0 } });
    expect(advertised()).toBe(false);
    const events = await eventually(
      () => auditOf('calm-cf', detector),
      (list) => list.some((e) => e.action === 'provider.calm'),
      { what: 'provider.calm audited' },
    );
    expect(events.filter((e) => e.action === 'withdraw.held')).toHaveLength(1);
    expect(events.find((e) => e.action === 'provider.calm')!.detail).toMatch(
      /^Cloudflare network analytics calm for \d+ s \(dropping 0 pps \/ 0 bps; calm is at most 17 pps \/ 10 Mbps for 3 s\): withdrawing$/,
    );
    expect(Date.parse(heldSince)).toBeLessThan(Date.now());
  });
  // One GraphQL query per read for the account, never one per prefix.
  expect(bed.sim.cloudflare.graphqlQueries.filter((q) => q.accountTag === cf.accountId).length).toBeGreaterThanOrEqual(2);
});

test('a token without Account Analytics Read: Test says so, and the hold-down rule decides with the reason shown', async () => {
  const cf = { accountId: hex(), prefixId: hex(), bgpPrefixId: hex(), token: `cf-secret-${hex()}` };
  bed.secrets.push(cf.token);
  bed.sim.cloudflare.seed({ ...cf, cidr: '203.0.113.0/24', analytics: false });
  bed.sim.cloudflare.setTraffic(cf.accountId, '203.0.113.0/24', { droppedPps: 40_000, droppedBps: 480e6 }, Date.now() - 15 * MINUTE);
  const { owner, detector } = await workspace('calm-noperm');
  const created = await api.call('POST', '/v1/workspaces/calm-noperm/integrations', {
    token: owner,
    body: {
      type: 'cloudflare',
      name: 'cf',
      minActiveSeconds: 0,
      reactivateAfterSeconds: 0,
      settings: { accountId: cf.accountId, prefixId: cf.prefixId, bgpPrefixId: cf.bgpPrefixId },
      credentials: { apiToken: cf.token },
    },
  });
  const id = created.body.id as string;
  await api.withWorker(async () => {
    const tested = await api.call('POST', `/v1/workspaces/calm-noperm/integrations/${id}/test`, { token: owner });
    expect(tested.body.warnings).toContain("the API token lacks Account Analytics Read: the calm gate cannot read Cloudflare's drops and falls back to the hold-down");

    expect((await api.call('POST', '/v1/workspaces/calm-noperm/incidents', { token: detector, body: { id: 'atk-1' } })).status).toBe(202);
    await eventually(
      () => integrationIn('calm-noperm', detector, id),
      (i) => i?.actual === 'active',
      { what: 'diverted', ...WAIT },
    );
    expect((await api.call('POST', '/v1/workspaces/calm-noperm/incidents/atk-1/resolve', { token: detector })).status).toBe(202);
    const withdrawn = await eventually(
      () => integrationIn('calm-noperm', detector, id),
      (i) => i?.actual === 'inactive',
      { what: 'withdrawn on the hold-down', ...WAIT },
    );
    expect(withdrawn!.telemetry).toMatchObject({ status: 'unavailable' });
    // With Cloudflare's request ID for support.
    expect(withdrawn!.telemetry!.reason).toMatch(/^the API token lacks Account Analytics Read \(Account → Account Analytics → Read\) \(cf-ray [\w-]+\)$/);
    const events = await eventually(
      () => auditOf('calm-noperm', detector),
      (list) => list.some((e) => e.action === 'telemetry.unavailable'),
      { what: 'telemetry.unavailable audited' },
    );
    expect(events.filter((e) => e.action === 'telemetry.unavailable')).toEqual([
      expect.objectContaining({
        integration: id,
        outcome: 'failed',
        detail: expect.stringMatching(/^Cloudflare network analytics unavailable \(the API token lacks Account Analytics Read .*\): withdrawn on the hold-down rule alone$/) as string,
      }),
    ]);
  });
});

test('OVH reports an ongoing VAC event: the withdrawal waits until the event ended and the drops stopped', async () => {
  const ovh = { applicationKey: `ak-${hex()}`, applicationSecret: `as-secret-${hex()}`, consumerKey: `ck-secret-${hex()}`, ip: '203.0.113.77' };
  bed.secrets.push(ovh.applicationSecret, ovh.consumerKey);
  bed.sim.ovh.addConsumer(ovh);
  bed.sim.ovh.seedIp({ ipBlock: `${ovh.ip}/32`, ip: ovh.ip, rules: 2 });
  bed.sim.ovh.setVacEvent(ovh.ip, true, { vectors: ['UDP'], at: Date.now() - 10 * MINUTE });
  bed.sim.ovh.setTraffic(ovh.ip, { droppedPps: 90_000, droppedBps: 900e6 }, Date.now() - 10 * MINUTE);
  const { owner, detector } = await workspace('calm-ovh');
  const created = await api.call('POST', '/v1/workspaces/calm-ovh/integrations', {
    token: owner,
    body: {
      type: 'ovh',
      name: 'edge firewall',
      calmSeconds: 0,
      settings: { endpoint: 'ovh-eu', ip: ovh.ip },
      credentials: { applicationKey: ovh.applicationKey, applicationSecret: ovh.applicationSecret, consumerKey: ovh.consumerKey },
    },
  });
  const id = created.body.id as string;
  await api.withWorker(async () => {
    expect((await api.call('POST', '/v1/workspaces/calm-ovh/incidents', { token: detector, body: { id: 'atk-1', target: ovh.ip } })).status).toBe(202);
    await eventually(
      () => integrationIn('calm-ovh', detector, id),
      (i) => i?.actual === 'active',
      { what: 'diverted', ...WAIT },
    );
    expect((await api.call('POST', '/v1/workspaces/calm-ovh/incidents/atk-1/resolve', { token: detector })).status).toBe(202);
    const held = await eventually(
      () => integrationIn('calm-ovh', detector, id),
      (i) => i?.telemetry?.lastReading != null && i.telemetry.withdrawHeld != null,
      { what: 'held', ...WAIT },
    );
    expect(held!.telemetry!.lastReading).toMatchObject({ ongoingEvents: 1, droppedPps: 90_000 });
    expect(held!.telemetry!.withdrawHeld!.reason).toBe('OVH Network Defense (VAC) reports 1 ongoing attack event (dropping 90 kpps / 900 Mbps)');
    expect(bed.sim.ovh.firewall(`${ovh.ip}/32`, ovh.ip)?.enabled).toBe(true);

    // OVH's event ends and nothing has been dropped for the whole window.
    bed.sim.ovh.setVacEvent(ovh.ip, false, { at: Date.now() - 6 * MINUTE });
    bed.sim.ovh.setTraffic(ovh.ip, {}, Date.now() - 6 * MINUTE);
    await eventually(
      () => integrationIn('calm-ovh', detector, id),
      (i) => i?.actual === 'inactive',
      { what: 'withdrawn once calm', ...WAIT },
    );
    expect(bed.sim.ovh.firewall(`${ovh.ip}/32`, ovh.ip)?.enabled).toBe(false);
  });
});
