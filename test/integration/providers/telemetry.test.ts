/**
 * Provider telemetry against the simulator's traffic model, with the real adapters: Cloudflare
 * network analytics (one GraphQL query per account, the 5-minute window 2 minutes back, Account
 * Analytics Read, the rate limit) and OVH Network Defense v2 (VAC traffic and events, access
 * rules). Every problem is a reason per integration, never a throw, and never shows a secret.
 */
import { createCloudflareProvider } from '../../../activities/providers/cloudflare';
import { createOvhProvider } from '../../../activities/providers/ovh';
import { REASON_GRAPHQL_RATE_LIMIT, REASON_NO_ANALYTICS_PERMISSION, cloudflareTelemetryWindow } from '../../../activities/providers/telemetry-cloudflare';
import type { LoadedIntegration, ProviderAdapter, TelemetryResult } from '../../../catalog/contract';
import { startSimulator, type RunningSimulator } from '../../../simulator';
import { expectNoSecrets, outcomeRecorder } from '../../support/secrets';

const ACCOUNT_A = 'a0000000000000000000000000000001';
const ACCOUNT_B = 'b0000000000000000000000000000002';
const TOKEN_A = 'cloudflare-token-a-secret-1f2e3d';
const TOKEN_B = 'cloudflare-token-b-secret-4c5b6a';
const SECRET = 'ovh-application-secret-telemetry';
const CONSUMER = 'ovh-consumer-key-telemetry';
const KEYS = { applicationKey: 'app-key-telemetry', applicationSecret: SECRET, consumerKey: CONSUMER };
const IP = '203.0.113.7';
const BLOCK = '203.0.113.0/24';
const MINUTE = 60_000;

let sim: RunningSimulator;
let cloudflare: ProviderAdapter;
let ovh: ProviderAdapter;
const { seen, run } = outcomeRecorder();
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const simNow = () => new Date(sim.clock.now());

/** A Cloudflare prefix seeded on the simulator, and its integration. */
function cfPrefix(id: string, accountId: string, token: string, n: number, cidr: string): LoadedIntegration {
  const prefixId = `${n}`.padStart(32, 'c');
  const bgpPrefixId = `${n}`.padStart(32, 'd');
  sim.cloudflare.seed({ accountId, token, prefixId, bgpPrefixId, cidr });
  return { id, workspaceId: 'acme', type: 'cloudflare', settings: { accountId, prefixId, bgpPrefixId }, credentials: { apiToken: token } };
}

const ovhIntegration = (credentials: Record<string, string> = KEYS): LoadedIntegration => ({
  id: 'ovh-1',
  workspaceId: 'acme',
  type: 'ovh',
  settings: { endpoint: 'ovh-eu', ip: IP, ipBlock: BLOCK },
  credentials,
});

const readCloudflare = (integrations: LoadedIntegration[], now = simNow()) => run(cloudflare.readTelemetry!(integrations, now));
const readOvh = (integrations: LoadedIntegration[], now = simNow()) => run(ovh.readTelemetry!(integrations, now));
const unavailable = (result: TelemetryResult | undefined) => (result && 'unavailable' in result ? result.unavailable : `a reading: ${JSON.stringify(result)}`);
const graphqlRequests = () => sim.faults.requests.filter((r) => r.provider === 'cloudflare' && r.path === '/graphql');

async function admin(path: string, body: unknown): Promise<Response> {
  return fetch(`${sim.url}/_sim${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}

beforeAll(async () => {
  sim = await startSimulator({ timing: { ovhPendingMs: 0 } });
  cloudflare = createCloudflareProvider({ baseUrl: sim.cloudflareUrl });
  ovh = createOvhProvider({ baseUrl: sim.ovhUrl });
});
afterAll(async () => {
  expectNoSecrets(seen, [TOKEN_A, TOKEN_B, SECRET, CONSUMER]);
  await sim.close();
});
beforeEach(async () => {
  expect((await fetch(`${sim.url}/_sim/reset`, { method: 'POST' })).status).toBe(204);
  sim.ovh.addConsumer(KEYS);
  sim.ovh.seedIp({ ipBlock: BLOCK, ip: IP, rules: 4, firewall: { enabled: false } });
});

describe('Cloudflare network analytics', () => {
  test('drops and passes over the 5 minutes ending 2 minutes back are read as mean rates', async () => {
    const integration = cfPrefix('cf-1', ACCOUNT_A, TOKEN_A, 1, '192.0.2.0/24');
    const now = simNow();
    const { from, to } = cloudflareTelemetryWindow(now);
    expect(to).toBe(Math.floor(now.getTime() / MINUTE) * MINUTE - 2 * MINUTE);
    expect(to - from).toBe(5 * MINUTE);
    sim.cloudflare.setTraffic(ACCOUNT_A, '192.0.2.0/24', { droppedBps: 800e6, droppedPps: 120_000, passedBps: 40e6, passedPps: 9_000 }, from - 10 * MINUTE);
    const source = 'Cloudflare network analytics, 192.0.2.0/24';
    await expect(readCloudflare([integration], now)).resolves.toEqual([
      { integrationId: 'cf-1', reading: { droppedBps: 800e6, droppedPps: 120_000, passedBps: 40e6, passedPps: 9_000, from: iso(from), to: iso(to), source } },
    ]);
    expect(sim.cloudflare.graphqlQueries).toEqual([{ accountTag: ACCOUNT_A, subnets: ['192.0.2.0/24'], at: expect.any(Number), answer: 'rows' }]);
    const { query, variables } = graphqlRequests()[0]!.body as { query: string; variables: Record<string, unknown> };
    for (const filter of ['magicTransitNetworkAnalyticsAdaptiveGroups', 'direction: "ingress"', 'mitigationSystem_neq: "magic-firewall"', 'ipDestinationSubnet_in: $subnets'])
      expect(query).toContain(filter);
    expect(variables).toEqual({ accountTag: ACCOUNT_A, start: iso(from), end: iso(to), subnets: ['192.0.2.0/24'] });

    // The attack stopped 3 minutes into the window (a step in the model's history): 3/5 of the drops.
    sim.cloudflare.setTraffic(ACCOUNT_A, '192.0.2.0/24', {}, from + 3 * MINUTE);
    const [stopped] = await readCloudflare([integration], now);
    expect(stopped).toMatchObject({ reading: { droppedBps: 480e6, droppedPps: 72_000, passedBps: 24e6 } });
  });

  test('prefixes of one account are read with ONE query; another account costs a second', async () => {
    const small = cfPrefix('cf-small', ACCOUNT_A, TOKEN_A, 1, '192.0.2.0/24');
    const wide = cfPrefix('cf-wide', ACCOUNT_A, TOKEN_A, 2, '198.51.100.0/22');
    const other = cfPrefix('cf-other', ACCOUNT_B, TOKEN_B, 3, '203.0.113.0/24');
    const now = simNow();
    const since = cloudflareTelemetryWindow(now).from - MINUTE;
    sim.cloudflare.setTraffic(ACCOUNT_A, '192.0.2.0/24', { droppedBps: 1e6, droppedPps: 100 }, since);
    sim.cloudflare.setTraffic(ACCOUNT_A, '198.51.100.0/22', { droppedBps: 4e9, droppedPps: 400_000 }, since); // shared by its four /24s
    sim.cloudflare.setTraffic(ACCOUNT_B, '203.0.113.0/24', { passedBps: 2e6, passedPps: 300 }, since);

    const results = await readCloudflare([small, wide], now);
    expect(results.map((r) => ('reading' in r ? [r.integrationId, r.reading.droppedBps, r.reading.droppedPps] : r))).toEqual([
      ['cf-small', 1e6, 100],
      ['cf-wide', 4e9, 400_000],
    ]);
    expect(graphqlRequests()).toHaveLength(1);
    expect(sim.cloudflare.graphqlQueries[0]!.subnets.sort()).toEqual(['192.0.2.0/24', '198.51.100.0/24', '198.51.101.0/24', '198.51.102.0/24', '198.51.103.0/24']);

    sim.cloudflare.graphqlQueries.length = 0;
    const all = await readCloudflare([small, wide, other], now);
    expect(all.map((r) => r.integrationId)).toEqual(['cf-small', 'cf-wide', 'cf-other']);
    expect(all[2]).toMatchObject({ reading: { droppedBps: 0, passedBps: 2e6, passedPps: 300, source: 'Cloudflare network analytics, 203.0.113.0/24' } });
    expect(sim.cloudflare.graphqlQueries.map((q) => q.accountTag).sort()).toEqual([ACCOUNT_A, ACCOUNT_B]);
  });

  test('no rows for a prefix is unavailable, with the window and why; a prefix too wide is too', async () => {
    const quiet = cfPrefix('cf-quiet', ACCOUNT_A, TOKEN_A, 1, '192.0.2.0/24');
    const busy = cfPrefix('cf-busy', ACCOUNT_A, TOKEN_A, 2, '198.51.100.0/24');
    const huge = cfPrefix('cf-huge', ACCOUNT_A, TOKEN_A, 3, '10.0.0.0/15');
    const now = simNow();
    const { from, to } = cloudflareTelemetryWindow(now);
    sim.cloudflare.setTraffic(ACCOUNT_A, '198.51.100.0/24', { droppedBps: 5e6, droppedPps: 500 }, from);
    // Traffic that stopped before the window is no data either.
    sim.cloudflare.setTraffic(ACCOUNT_A, '192.0.2.0/24', { droppedBps: 5e6, droppedPps: 500 }, from - 10 * MINUTE);
    sim.cloudflare.setTraffic(ACCOUNT_A, '192.0.2.0/24', {}, from - MINUTE);
    const [q, b, h] = await readCloudflare([quiet, busy, huge], now);
    expect(unavailable(q)).toBe(`no traffic data for 192.0.2.0/24 from ${iso(from)} to ${iso(to)} (Cloudflare sees traffic only while it advertises the prefix)`);
    expect(b).toMatchObject({ reading: { droppedBps: 5e6 } });
    expect(unavailable(h)).toBe('the prefix 10.0.0.0/15 covers 512 /24 subnets, more than the 256 one reading filters on');
    expect(graphqlRequests()).toHaveLength(1);
  });

  test('a token without Account Analytics Read: unavailable naming the permission, and Test warns', async () => {
    const allowed = cfPrefix('cf-a', ACCOUNT_A, TOKEN_A, 1, '192.0.2.0/24');
    const denied = cfPrefix('cf-b', ACCOUNT_B, TOKEN_B, 2, '203.0.113.0/24');
    sim.cloudflare.setAnalytics(ACCOUNT_B, false);
    const now = simNow();
    sim.cloudflare.setTraffic(ACCOUNT_A, '192.0.2.0/24', { droppedBps: 1e6 }, now.getTime() - 10 * MINUTE);
    const [a, b] = await readCloudflare([allowed, denied], now);
    expect(a).toMatchObject({ reading: { droppedBps: 1e6 } });
    expect(unavailable(b)).toMatch(new RegExp(`^${literal(REASON_NO_ANALYTICS_PERMISSION)} \\(cf-ray [0-9a-f]+-SIM\\)$`));
    expect(REASON_NO_ANALYTICS_PERMISSION).toBe('the API token lacks Account Analytics Read (Account → Account Analytics → Read)');

    const tested = await run(cloudflare.test(denied));
    expect(tested).toEqual({
      ok: true, // the calm gate falls back to the hold-down: a warning, not a failed Test
      summary: '1 prefixes on the account; BGP prefix 203.0.113.0/24 found',
      warnings: ["the API token lacks Account Analytics Read: the calm gate cannot read Cloudflare's drops and falls back to the hold-down"],
    });
    await expect(run(cloudflare.test(allowed))).resolves.toMatchObject({ ok: true, warnings: [] });

    // Granted through the admin API: read again.
    expect((await admin('/cloudflare/analytics', { accountId: ACCOUNT_B, allowed: true })).status).toBe(200);
    const [after] = await readCloudflare([denied], now);
    expect(unavailable(after)).toMatch(/^no traffic data for 203\.0\.113\.0\/24/);
  });

  test('over 300 queries in 5 minutes per token: unavailable (rate limit), other tokens unaffected', async () => {
    const limited = cfPrefix('cf-a', ACCOUNT_A, TOKEN_A, 1, '192.0.2.0/24');
    const other = cfPrefix('cf-b', ACCOUNT_B, TOKEN_B, 2, '203.0.113.0/24');
    const now = simNow();
    for (let batch = 0; batch < 30; batch++) await Promise.all(Array.from({ length: 10 }, () => cloudflare.readTelemetry!([limited], now)));
    expect(sim.cloudflare.graphqlQueries.filter((q) => q.answer === 'rows')).toHaveLength(300);
    const [a, b] = await readCloudflare([limited, other], now);
    expect(unavailable(a)).toMatch(new RegExp(`^${literal(REASON_GRAPHQL_RATE_LIMIT)} \\(cf-ray [0-9a-f]+-SIM\\)$`));
    expect(unavailable(b)).toMatch(/^no traffic data/);
    const tested = await run(cloudflare.test(limited));
    expect(tested.ok).toBe(true);
    expect(tested.warnings).toEqual([expect.stringMatching(/^network analytics probe failed \(Cloudflare GraphQL rate limit reached .*falls back to the hold-down while this lasts$/)]);

    sim.clock.advance(5 * MINUTE);
    expect(unavailable((await readCloudflare([limited]))[0])).toMatch(/^no traffic data/);
  });

  test('5xx, timeouts and a token refused on the prefix: unavailable with the reason, never a throw', async () => {
    const integration = cfPrefix('cf-1', ACCOUNT_A, TOKEN_A, 1, '192.0.2.0/24');
    sim.faults.add({ provider: 'cloudflare', method: 'POST', pathIncludes: '/graphql', status: 503, headers: { 'cf-ray': '8f00aa11bb22cc33-SIM' }, body: { errors: [{ message: 'upstream' }] } });
    expect(unavailable((await readCloudflare([integration]))[0])).toBe('Cloudflare GraphQL unavailable: HTTP 503 (cf-ray 8f00aa11bb22cc33-SIM)');

    const slow = createCloudflareProvider({ baseUrl: sim.cloudflareUrl, timeoutMs: 200 });
    sim.faults.add({ provider: 'cloudflare', method: 'POST', pathIncludes: '/graphql', delayMs: 1000 });
    const [timedOut] = await run(slow.readTelemetry!([integration], simNow()));
    expect(unavailable(timedOut)).toBe('Cloudflare GraphQL unavailable: no response (ECONNABORTED)');

    const wrongToken = { ...integration, id: 'cf-wrong', credentials: { apiToken: 'not-the-token-secret' } };
    const [refused] = await readCloudflare([wrongToken]);
    expect(unavailable(refused)).toMatch(/^cannot read the prefix: cloudflare: HTTP 401 \[10000\] Authentication error \(request [0-9a-f]+-SIM\)$/);
    expectNoSecrets([refused], ['not-the-token-secret']);
  });

  test('traffic set through the admin API, shown in the state view, forgotten on reset', async () => {
    const integration = cfPrefix('cf-1', ACCOUNT_A, TOKEN_A, 1, '192.0.2.0/24');
    const now = simNow();
    const at = new Date(now.getTime() - 10 * MINUTE).toISOString();
    const set = await admin('/cloudflare/traffic', { accountId: ACCOUNT_A, cidr: '192.0.2.0/24', droppedBps: 3e6, droppedPps: 250, passedBps: 1e6, passedPps: 90, at });
    expect(set.status).toBe(200);
    expect((await admin('/cloudflare/traffic', { accountId: ACCOUNT_A, cidr: 'nonsense', droppedBps: 1 })).status).toBe(400);
    expect((await admin('/cloudflare/traffic', { accountId: ACCOUNT_A, cidr: '192.0.2.0/24', droppedBps: -1 })).status).toBe(400);
    await expect(readCloudflare([integration], now)).resolves.toMatchObject([{ reading: { droppedBps: 3e6, droppedPps: 250, passedBps: 1e6, passedPps: 90 } }]);
    const state = (await (await fetch(`${sim.url}/_sim/state`)).json()) as { cloudflare: { traffic: unknown; analytics: boolean }[] };
    expect(state.cloudflare[0]).toMatchObject({ analytics: true, traffic: { droppedBps: 3e6, droppedPps: 250, passedBps: 1e6, passedPps: 90 } });
    expect(JSON.stringify(state)).not.toContain(TOKEN_A);
    await fetch(`${sim.url}/_sim/reset`, { method: 'POST' });
    expect(sim.cloudflare.traffic.keys()).toEqual([]);
    expect(sim.cloudflare.graphqlQueries).toEqual([]);
  });
});

describe('OVH Network Defense (VAC)', () => {
  test('drops and an ongoing VAC event: the peak rates of the last 5 minutes and the event count', async () => {
    const now = simNow();
    sim.ovh.setTraffic(IP, { droppedBps: 2e9, droppedPps: 300_000, passedBps: 50e6, passedPps: 10_000 }, now.getTime() - 10 * MINUTE);
    sim.ovh.setTraffic(IP, { droppedBps: 1e9, droppedPps: 150_000, passedBps: 40e6, passedPps: 8_000 }, now.getTime() - 2 * MINUTE);
    sim.ovh.setVacEvent(IP, true, { vectors: ['UDP', 'TCP_SYN'], at: now.getTime() - 10 * MINUTE });
    await expect(readOvh([ovhIntegration()], now)).resolves.toEqual([
      {
        integrationId: 'ovh-1',
        reading: {
          droppedBps: 2e9,
          droppedPps: 300_000,
          passedBps: 50e6,
          passedPps: 10_000,
          ongoingEvents: 1,
          from: iso(now.getTime() - 5 * MINUTE),
          to: iso(now.getTime()),
          source: `OVH Network Defense (VAC), ${IP}/32`,
        },
      },
    ]);
    // The v2 API beside /1.0, signed alike (the simulator checks the signature over the exact URL, query included).
    expect(sim.faults.requests.filter((r) => r.provider === 'ovh' && r.path.startsWith('/v2/')).map((r) => [r.path, r.status])).toEqual(
      expect.arrayContaining([
        ['/v2/networkDefense/vac/event', 200],
        ['/v2/networkDefense/vac/traffic', 200],
      ]),
    );
  });

  test('an event that ended and no traffic left is a reading of zero, not unavailable', async () => {
    const now = simNow().getTime();
    sim.ovh.setVacEvent(IP, true, { at: now - 30 * MINUTE });
    sim.ovh.setTraffic(IP, { droppedBps: 2e9, droppedPps: 300_000 }, now - 30 * MINUTE);
    sim.ovh.setTraffic(IP, {}, now - 20 * MINUTE);
    sim.ovh.setVacEvent(IP, false, { at: now - 20 * MINUTE });
    const [result] = await readOvh([ovhIntegration()], new Date(now));
    expect(result).toMatchObject({ reading: { droppedBps: 0, droppedPps: 0, passedBps: 0, passedPps: 0, ongoingEvents: 0 } });
    // Still ongoing but nothing dropped any more: the event alone says "not over".
    sim.ovh.setVacEvent(IP, true, { at: now - MINUTE });
    await expect(readOvh([ovhIntegration()], new Date(now))).resolves.toMatchObject([{ reading: { droppedBps: 0, ongoingEvents: 1 } }]);
  });

  test('a consumer key without the v2 access rules: unavailable naming the rule; Test names each missing one', async () => {
    const firewallOnly = [{ method: '*', path: '/ip/*' }];
    sim.ovh.addConsumer({ ...KEYS, accessRules: firewallOnly });
    expect(unavailable((await readOvh([ovhIntegration()]))[0])).toBe('the consumer key lacks the access rule GET /v2/networkDefense/vac/event');
    const tested = await run(ovh.test(ovhIntegration()));
    expect(tested).toEqual({
      ok: true, // diverting still works: the calm gate falls back to the hold-down
      summary: `IP block ${BLOCK} reachable; edge firewall of ${IP} disabled with 4 rules`,
      warnings: [
        "the consumer key lacks the access rule GET /v2/networkDefense/vac/event: the calm gate cannot read OVH's VAC and falls back to the hold-down",
        "the consumer key lacks the access rule GET /v2/networkDefense/vac/traffic: the calm gate cannot read OVH's VAC and falls back to the hold-down",
      ],
    });

    sim.ovh.addConsumer({ ...KEYS, accessRules: [...firewallOnly, { method: 'GET', path: '/v2/networkDefense/vac/event' }] });
    expect(unavailable((await readOvh([ovhIntegration()]))[0])).toBe('the consumer key lacks the access rule GET /v2/networkDefense/vac/traffic');
    await expect(run(ovh.test(ovhIntegration()))).resolves.toMatchObject({
      ok: true,
      warnings: [expect.stringMatching(/^the consumer key lacks the access rule GET \/v2\/networkDefense\/vac\/traffic: /)],
    });

    sim.ovh.addConsumer({ ...KEYS, accessRules: [...firewallOnly, { method: 'GET', path: '/v2/networkDefense/vac/*' }] });
    await expect(run(ovh.test(ovhIntegration()))).resolves.toMatchObject({ ok: true, warnings: [] });
    await expect(readOvh([ovhIntegration()])).resolves.toMatchObject([{ reading: { ongoingEvents: 0 } }]);
  });

  test('wrong keys, 5xx and timeouts: unavailable with the reason for that integration only', async () => {
    const good = ovhIntegration();
    const bad = { ...ovhIntegration({ ...KEYS, applicationSecret: 'wrong-secret-value' }), id: 'ovh-bad' };
    const [g, b] = await readOvh([good, bad]);
    expect(g).toMatchObject({ integrationId: 'ovh-1', reading: { ongoingEvents: 0 } });
    expect(unavailable(b)).toMatch(/^OVH refused the keys: HTTP 400 \[Client::BadRequest\] Invalid signature \(request EU\.sim\.[0-9a-f]+\)$/);
    expectNoSecrets([b], ['wrong-secret-value']);

    sim.faults.add({ provider: 'ovh', method: 'GET', pathIncludes: '/vac/traffic', status: 503, body: { message: 'maintenance' } });
    expect(unavailable((await readOvh([good]))[0])).toBe('OVH Network Defense unavailable: HTTP 503 maintenance');

    const slow = createOvhProvider({ baseUrl: sim.ovhUrl, timeoutMs: 200 });
    await run(slow.status(good)); // the clock offset, before the delay
    sim.faults.add({ provider: 'ovh', pathIncludes: '/vac/event', delayMs: 1000 });
    const [timedOut] = await run(slow.readTelemetry!([good], simNow()));
    expect(unavailable(timedOut)).toBe('OVH Network Defense unavailable: no response (ECONNABORTED)');
  });

  test('traffic and events set through the admin API, shown in the state view', async () => {
    const now = simNow().getTime();
    expect((await admin('/ovh/traffic', { ip: IP, droppedBps: 7e8, droppedPps: 90_000, at: now - 3 * MINUTE })).status).toBe(200);
    const started = await admin('/ovh/vac-events', { ip: IP, ongoing: true, vectors: ['NTP'] });
    expect(await started.json()).toEqual({ events: [{ startedAt: expect.any(String), endedAt: null, subnet: `${IP}/32`, vectors: ['NTP'] }] });
    expect((await admin('/ovh/traffic', { ip: 'not-an-ip', droppedBps: 1 })).status).toBe(400);
    await expect(readOvh([ovhIntegration()], new Date(now))).resolves.toMatchObject([{ reading: { droppedBps: 7e8, droppedPps: 90_000, ongoingEvents: 1 } }]);
    const state = (await (await fetch(`${sim.url}/_sim/state`)).json()) as { ovh: { vac: unknown }[] };
    expect(state.ovh[0]!.vac).toMatchObject({ traffic: { droppedBps: 7e8 }, events: [{ endedAt: null, vectors: ['NTP'] }] });
    await admin('/ovh/vac-events', { ip: IP, ongoing: false });
    await expect(readOvh([ovhIntegration()], new Date(now))).resolves.toMatchObject([{ reading: { ongoingEvents: 0 } }]);
  });
});

function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
