/**
 * OVH: the Edge Network Firewall on one IPv4 (README, Providers: OVH). OVH retired the
 * "permanent mitigation" the source document describes (2025-09-08): it no longer
 * filters anything, so activation enables the operator's edge firewall rules now,
 * ahead of OVH's own, slower detection. Withdraw disables it again; OVH refuses that
 * while its own mitigation runs, which is "held by the provider", retried later. Telemetry
 * (Network Defense v2, the VAC) is in telemetry-ovh.ts.
 */
import { OVH_ENDPOINTS, ovh } from '../../catalog/ovh';
import { createHttpClient, segment } from './http';
import { ProviderAuthError, ProviderBusyError, ProviderConfigError, ProviderError, ProviderHeldError, ProviderRejectedError } from '../../catalog/errors';
import { OvhClient, type OvhCredentials } from './ovh-client';
import { probeOvhVac, readOvhTelemetry } from './telemetry-ovh';
import type { LoadedIntegration, ProviderAdapter, ProviderStatus } from '../../catalog/contract';

const { settings: ovhSettings, credentials: ovhCredentials } = ovh;

/** Errors that say the keys themselves are wrong, as opposed to a refused change. */
const CREDENTIAL_ERRORS = ['INVALID_KEY', 'INVALID_CREDENTIAL', 'NOT_CREDENTIAL', 'NOT_GRANTED_CALL'];

interface FirewallIp {
  ipOnFirewall: string;
  enabled: boolean;
  state: 'ok' | 'enableFirewallPending' | 'disableFirewallPending';
}

/**
 * Whether the firewall is on or turning on. A pending state names where it is going;
 * whether `enabled` already shows the target while pending is not documented, so the
 * state wins (as public clients do).
 */
function effectivelyEnabled(entry: FirewallIp): boolean {
  if (entry.state === 'enableFirewallPending') return true;
  if (entry.state === 'disableFirewallPending') return false;
  return entry.enabled;
}

interface MitigationIp {
  ipOnMitigation: string;
  auto?: boolean;
  state?: string;
}

export function createOvhProvider(options: { baseUrl?: string; timeoutMs?: number } = {}): ProviderAdapter {
  const client = new OvhClient(createHttpClient('', options.timeoutMs));

  function target(integration: LoadedIntegration) {
    const settings = ovhSettings.safeParse(integration.settings);
    const credentials = ovhCredentials.safeParse(integration.credentials);
    if (!settings.success) throw new ProviderConfigError(`ovh: invalid settings (${settings.error.issues.map((i) => i.path.join('.')).join(', ')})`);
    if (!credentials.success) throw new ProviderConfigError('ovh: applicationKey, applicationSecret and consumerKey are required');
    const { endpoint, ip } = settings.data;
    const block = settings.data.ipBlock ?? `${ip}/32`;
    const baseUrl = (options.baseUrl ?? OVH_ENDPOINTS[endpoint]).replace(/\/+$/, '');
    const creds: OvhCredentials = credentials.data;
    const firewallPath = `/ip/${segment(block)}/firewall/${segment(ip)}`;
    return {
      ip,
      block,
      firewallPath,
      get: <T>(path: string) => client.call<T>(baseUrl, creds, 'GET', path),
      getV2: <T>(path: string) => client.getV2<T>(baseUrl, creds, path),
      write: <T>(method: 'POST' | 'PUT', path: string, body: unknown) => client.call<T>(baseUrl, creds, method, path, body),
    };
  }
  type Target = ReturnType<typeof target>;

  async function readFirewall(t: Target): Promise<FirewallIp | null> {
    const response = await t.get<FirewallIp>(t.firewallPath);
    return response.status === 404 ? null : response.data;
  }

  async function mitigationActive(t: Target): Promise<boolean> {
    const response = await t.get<MitigationIp>(`/ip/${segment(t.block)}/mitigation/${segment(t.ip)}`);
    return response.status !== 404 && response.data?.state !== 'removalPending';
  }

  function toStatus(t: Target, entry: FirewallIp | null, note = ''): ProviderStatus {
    const enabled = entry !== null && effectivelyEnabled(entry);
    const state = entry ? ` (${entry.state})` : ' (no firewall entry)';
    return { diverted: enabled, pending: entry !== null && entry.state !== 'ok', detail: `edge firewall of ${t.ip} ${enabled ? 'enabled' : 'disabled'}${state}${note}` };
  }

  async function activate(integration: LoadedIntegration): Promise<ProviderStatus> {
    const t = target(integration);
    let entry = await readFirewall(t);
    if (!entry) {
      const created = await t.write('POST', `/ip/${segment(t.block)}/firewall`, { ipOnFirewall: t.ip });
      if (created.status === 404) throw new ProviderConfigError(`ovh: IP block ${t.block} not found on this account`);
      entry = await readFirewall(t);
      if (!entry) throw new ProviderBusyError(`ovh: firewall entry of ${t.ip} not visible yet`);
    }
    if (effectivelyEnabled(entry)) return toStatus(t, entry);
    if (entry.state !== 'ok') throw new ProviderBusyError(`ovh: firewall of ${t.ip} is ${entry.state}`);
    await t.write('PUT', t.firewallPath, { enabled: true });
    return toStatus(t, { ...entry, enabled: true, state: 'enableFirewallPending' });
  }

  async function withdraw(integration: LoadedIntegration): Promise<ProviderStatus> {
    const t = target(integration);
    const entry = await readFirewall(t);
    if (!entry || !effectivelyEnabled(entry)) return toStatus(t, entry);
    if (entry.state !== 'ok') throw new ProviderBusyError(`ovh: firewall of ${t.ip} is ${entry.state}`);
    try {
      const response = await t.write('PUT', t.firewallPath, { enabled: false });
      if (response.status === 404 || response.status === 409) throw new ProviderRejectedError(`ovh: HTTP ${response.status} disabling the firewall of ${t.ip}`);
    } catch (err) {
      // "The firewall is enabled automatically whenever a DDoS attack is launched, and cannot be disabled before the attack ends."
      const refusal = err instanceof ProviderError && !err.retryable && !CREDENTIAL_ERRORS.includes(String(err.details.providerCode));
      if (refusal && (await mitigationActive(t))) {
        throw new ProviderHeldError(`ovh: OVH is mitigating an attack on ${t.ip} and keeps its firewall on until it ends`, err.details);
      }
      throw err;
    }
    return toStatus(t, { ...entry, enabled: false, state: 'disableFirewallPending' });
  }

  return {
    activate,
    withdraw,
    async status(integration) {
      const t = target(integration);
      const entry = await readFirewall(t);
      const mitigating = await mitigationActive(t);
      return toStatus(t, entry, mitigating ? '; OVH auto-mitigation active' : '');
    },
    async test(integration) {
      const t = target(integration);
      const warnings: string[] = [];
      const notGranted = (err: unknown, rule: string) => {
        if (err instanceof ProviderAuthError && err.details.providerCode === 'NOT_GRANTED_CALL') {
          warnings.push(`the consumer key lacks the access rule ${rule}`);
          return null;
        }
        throw err;
      };
      const block = await t.get(`/ip/${segment(t.block)}`).catch((err: unknown) => notGranted(err, 'GET /ip/*'));
      if (block?.status === 404) throw new ProviderConfigError(`ovh: IP block ${t.block} not found on this account`);
      const entry = await readFirewall(t).catch((err: unknown) => notGranted(err, 'GET /ip/*/firewall/*'));
      let rules = 0;
      if (entry) {
        const list = await t.get<number[]>(`${t.firewallPath}/rule`).catch((err: unknown) => notGranted(err, 'GET /ip/*/firewall/*'));
        rules = Array.isArray(list?.data) ? list.data.length : 0;
        if (rules === 0) warnings.push('the edge firewall has no rules: enabled, it filters nothing but fragmented UDP');
      } else {
        warnings.push(`${t.ip} has no edge firewall entry yet; activation creates it, but add rules first`);
      }
      const ok = warnings.length === 0;
      // The calm gate's access rules (Network Defense v2): warnings, never a failed Test by themselves.
      const vac = await probeOvhVac(t, new Date());
      return {
        ok,
        summary: `IP block ${t.block} reachable; edge firewall of ${t.ip} ${entry ? `${entry.enabled ? 'enabled' : 'disabled'} with ${rules} rules` : 'not created'}`,
        warnings: [...warnings, ...vac],
      };
    },
    readTelemetry: (integrations, now) => readOvhTelemetry(integrations, now, target),
  };
}
