/**
 * `npm run demo`: against the running dev stack (`npm run dev`), a two-wave attack on a new
 * workspace with one integration per provider (all simulated): diversion at all four, a lull
 * shorter than the hold-down that does not withdraw, the withdrawal after the hold-down, and
 * the Temporal UI link. Exits non-zero as soon as a step does not happen.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** The simulator applies a change at once and has no change window: no provider windows (real providers keep the defaults). */
const SIMULATOR_WINDOWS = { minActiveSeconds: 0, reactivateAfterSeconds: 0 };
/**
 * The calm gate stays on (Cloudflare and OVH read their telemetry before withdrawing), but the
 * simulated providers are calm from the start, so no calm period is waited for (real ones keep 15 and 5 minutes).
 */
const SIMULATOR_CALM = { calmSeconds: 0 };

const API = process.env.DEMO_API_URL ?? `http://127.0.0.1:${process.env.API_PORT ?? 8080}`;
const SIM = process.env.DEMO_SIMULATOR_URL ?? `http://127.0.0.1:${process.env.SIMULATOR_PORT ?? 8299}`;
const UI = process.env.DEMO_TEMPORAL_UI_URL ?? `http://127.0.0.1:${process.env.TEMPORAL_UI_PORT ?? 8233}`;
const DATA_DIR = process.env.DEV_DATA_DIR ?? '.data';
const HOLD_DOWN_SECONDS = 15;

const log = (message: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)}  ${message}\n`);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function http(method: string, url: string, token?: string, body?: unknown): Promise<any> {
  const response = await fetch(url, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url} answered ${response.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

async function until<T>(what: string, probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs / 1000} s; last: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function main(): Promise<void> {
  const adminToken = process.env.ADMIN_TOKEN ?? readFileSync(`${DATA_DIR}/admin-token`, 'utf8').trim();
  const hex = () => randomBytes(16).toString('hex');
  const ws = `demo-${Date.now().toString(36)}`;
  const cf = { accountId: hex(), prefixId: hex(), bgpPrefixId: hex(), token: `demo-${hex()}`, cidr: '192.0.2.0/24' };
  // DEMO_OVH_IP and DEMO_GCORE_CLIENT_ID pick the simulated OVH address and Gcore client (default: random ones).
  const ovh = { applicationKey: `ak-${hex()}`, applicationSecret: hex(), consumerKey: hex(), ip: process.env.DEMO_OVH_IP ?? `203.0.113.${1 + (Date.now() % 250)}` };
  const hz = { username: `#ws+${ws}`, password: hex(), serverNumber: 10_000 + (Date.now() % 50_000) };
  const gc = { apiKey: `gcore-${hex()}`, clientId: Number(process.env.DEMO_GCORE_CLIENT_ID ?? 1 + (Date.now() % 100_000)), prefix: '192.0.2.0/24' };

  log(`provider simulator: seeding a Cloudflare prefix, an OVH IP, a Hetzner server and a Gcore prefix for ${ws}`);
  await http('POST', `${SIM}/_sim/cloudflare/prefixes`, undefined, cf);
  await http('POST', `${SIM}/_sim/ovh/consumers`, undefined, ovh);
  await http('POST', `${SIM}/_sim/ovh/ips`, undefined, { ipBlock: `${ovh.ip}/32`, ip: ovh.ip, rules: 3 });
  await http('POST', `${SIM}/_sim/hetzner/users`, undefined, { username: hz.username, password: hz.password });
  await http('POST', `${SIM}/_sim/hetzner/servers`, undefined, {
    serverNumber: hz.serverNumber,
    firewall: { rules: { input: [{ name: 'Allow HTTPS', protocol: 'tcp', dst_port: '443', action: 'accept' }], output: [{ name: 'Allow all', action: 'accept' }] } },
  });
  await http('POST', `${SIM}/_sim/gcore/prefixes`, undefined, gc);
  // What Cloudflare's analytics show for the prefix: clean traffic passed on, nothing dropped (its data lags minutes).
  await http('POST', `${SIM}/_sim/cloudflare/traffic`, undefined, { accountId: cf.accountId, cidr: cf.cidr, passedBps: 50e6, passedPps: 5_000, at: Date.now() - 15 * 60_000 });

  const created = await http('POST', `${API}/v1/workspaces`, adminToken, { id: ws, name: 'Demo attack', holdDownSeconds: HOLD_DOWN_SECONDS });
  const owner: string = created.ownerKey.key;
  log(`workspace ${ws} created (hold-down ${HOLD_DOWN_SECONDS} s)`);
  const detector: string = (await http('POST', `${API}/v1/workspaces/${ws}/api-keys`, owner, { name: 'detector', role: 'detector' })).key;
  for (const body of [
    {
      type: 'cloudflare',
      name: 'Cloudflare Magic Transit',
      ...SIMULATOR_WINDOWS,
      ...SIMULATOR_CALM,
      settings: { accountId: cf.accountId, prefixId: cf.prefixId, bgpPrefixId: cf.bgpPrefixId },
      credentials: { apiToken: cf.token },
    },
    {
      type: 'ovh',
      name: 'OVH edge firewall',
      ...SIMULATOR_CALM,
      settings: { endpoint: 'ovh-eu', ip: ovh.ip },
      credentials: { applicationKey: ovh.applicationKey, applicationSecret: ovh.applicationSecret, consumerKey: ovh.consumerKey },
    },
    { type: 'hetzner', name: 'Hetzner Robot firewall', ...SIMULATOR_WINDOWS, settings: { serverNumber: hz.serverNumber }, credentials: { username: hz.username, password: hz.password } },
    { type: 'gcore', name: 'Gcore DDoS Protection', settings: { prefix: gc.prefix, clientId: gc.clientId }, credentials: { apiKey: gc.apiKey } },
  ]) {
    const integration = await http('POST', `${API}/v1/workspaces/${ws}/integrations`, owner, body);
    log(`integration ${integration.id} (${integration.type}) created`);
  }

  type Held = { cloudflare: boolean; ovh: boolean; hetzner: string; gcore: boolean };
  const providers = async (): Promise<Held> => {
    const state = await http('GET', `${SIM}/_sim/state`);
    return {
      cloudflare: state.cloudflare.find((p: { bgpPrefixId: string }) => p.bgpPrefixId === cf.bgpPrefixId)?.advertised ?? false,
      // By block and address, by client and prefix: the dev stack seeds 203.0.113.7 in its own /24 block and
      // Gcore client 4242, which this demo's random picks may repeat (one run in 250 picked 203.0.113.7).
      ovh: state.ovh.find((i: { ipBlock: string; ip: string }) => i.ipBlock === `${ovh.ip}/32` && i.ip === ovh.ip)?.firewall?.enabled ?? false,
      hetzner: state.hetzner.find((s: { serverNumber: number }) => s.serverNumber === hz.serverNumber)?.status ?? 'missing',
      gcore: state.gcore.find((p: { clientId: number; prefix: string }) => p.clientId === gc.clientId && p.prefix === gc.prefix)?.announced ?? false,
    };
  };
  const scrubbing = () => http('GET', `${API}/v1/workspaces/${ws}/scrubbing`, detector);
  const allActual = (value: string) => (view: { integrations: { actual: string }[] }) => view.integrations.length === 4 && view.integrations.every((i) => i.actual === value);

  log('wave 1: incident atk-1 on 192.0.2.10');
  await http('POST', `${API}/v1/workspaces/${ws}/incidents`, detector, { id: 'atk-1', target: '192.0.2.10', source: 'demo' });
  await until('diversion at all four providers', scrubbing, allActual('active'));
  const diverted = await until('the simulator to hold all four diversions', providers, (p) => p.cloudflare && p.ovh && p.hetzner !== 'disabled' && p.gcore);
  log(`diverted: Cloudflare prefix advertised=${diverted.cloudflare}, OVH edge firewall enabled=${diverted.ovh}, Hetzner firewall ${diverted.hetzner}, Gcore prefix announced=${diverted.gcore}`);

  await http('POST', `${API}/v1/workspaces/${ws}/incidents/atk-1/resolve`, detector, {});
  const holding = await until('the hold-down to start', scrubbing, (v) => v.pendingHoldDowns.length === 4);
  log(`wave 1 resolved: hold-down until ${holding.pendingHoldDowns[0].until}; traffic stays diverted`);
  await new Promise((r) => setTimeout(r, 4_000));
  log('wave 2 (lull of 4 s, shorter than the hold-down): incident atk-2');
  await http('POST', `${API}/v1/workspaces/${ws}/incidents`, detector, { id: 'atk-2', target: '192.0.2.11', source: 'demo' });
  const rearmed = await until('the hold-down to be cancelled', scrubbing, (v) => v.pendingHoldDowns.length === 0 && v.activeIncidents.length === 1);
  if (!allActual('active')(rearmed)) throw new Error('an integration was withdrawn during the lull');
  log('hold-down cancelled, still diverted: one diversion for two waves');

  await http('POST', `${API}/v1/workspaces/${ws}/incidents/atk-2/resolve`, detector, {});
  log(`wave 2 resolved: waiting out the ${HOLD_DOWN_SECONDS} s hold-down`);
  await until('withdrawal at all four providers', scrubbing, allActual('inactive'), (HOLD_DOWN_SECONDS + 60) * 1000);
  const withdrawn = await until('the simulator to release all four', providers, (p) => !p.cloudflare && !p.ovh && p.hetzner !== 'active' && !p.gcore);
  log(`withdrawn: Cloudflare prefix advertised=${withdrawn.cloudflare}, OVH edge firewall enabled=${withdrawn.ovh}, Hetzner firewall ${withdrawn.hetzner}, Gcore prefix announced=${withdrawn.gcore}`);

  // The workflow writes some audit records in the background (provider.calm among them): wait for them, then count.
  const expected: Record<string, number> = { divert: 4, withdraw: 4, 'provider.calm': 2 };
  const tally = async (): Promise<Record<string, number>> => {
    const { events } = (await http('GET', `${API}/v1/workspaces/${ws}/events?limit=100`, detector)) as { events: { action: string; outcome: string }[] };
    return Object.fromEntries(Object.keys(expected).map((action) => [action, events.filter((e) => e.action === action && e.outcome === 'ok').length]));
  };
  const audited = await until('the audit trail', tally, (t) => Object.entries(expected).every(([action, n]) => t[action] === n), 30_000);
  log(`audit trail: ${audited.divert} diverts and ${audited.withdraw} withdrawals by the workflow`);
  log('calm gate: Cloudflare and OVH reported calm before their withdrawal (Hetzner and Gcore have no telemetry: hold-down alone)');
  log(`history of every decision: ${UI}/namespaces/default/workflows/scrubbing-${ws}`);
  process.stdout.write(`DEMO OK ${ws}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
