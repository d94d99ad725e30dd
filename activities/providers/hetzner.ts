/**
 * Hetzner Robot: the dedicated-server stateless firewall (README, Providers: Hetzner Robot).
 * POST replaces the whole firewall, so every change re-sends the complete
 * configuration just read (filter_ipv6, whitelist_hos, port, all input and
 * output rules) with only `status` changed. Robot locks the caller's IP out for
 * 10 minutes after three failed logins, so every login goes through a budget shared by
 * all tenants and workers (login-budget.ts): at most 2 failures per 10 minutes.
 */
import type { AxiosResponse } from 'axios';
import { createHash } from 'node:crypto';
import { hetzner } from '../../catalog/hetzner';
import { createHttpClient, segment, send } from './http';
import { ProviderAuthError, ProviderBusyError, ProviderConfigError, ProviderError, ProviderRateLimitedError, ProviderRejectedError, ProviderUnavailableError } from '../../catalog/errors';
import { loginBudget, memoryLoginFailures, type LoginBudget, type LoginPurpose } from './login-budget';
import type { LoadedIntegration, ProviderAdapter, ProviderStatus } from '../../catalog/contract';

const DEFAULT_HETZNER_ROBOT_URL = 'https://robot-ws.your-server.de';
/** Robot locks an address out for this long after three failed logins: the login budget's window. */
export const HETZNER_LOGIN_WINDOW_MS = 10 * 60 * 1000;
const IN_PROCESS_RETRY_MS = 10_000;
/** After a rejected login, a provider operation tries again after this long (if the budget allows). */
const LOGIN_RETRY_MS = 60_000;

/**
 * Robot rejected the login: wrong credentials, or this address is locked out (Robot says the
 * same for both). Retryable for provider operations, spaced by the login budget.
 */
export class HetznerLoginFailedError extends ProviderError {
  readonly retryable = true;
}

const { settings: hetznerSettings, credentials: hetznerCredentials } = hetzner;

const RULE_FIELDS = ['name', 'ip_version', 'src_ip', 'dst_ip', 'src_port', 'dst_port', 'protocol', 'tcp_flags', 'action'] as const;
type Rule = Partial<Record<(typeof RULE_FIELDS)[number], string | null>>;

export interface HetznerFirewall {
  server_number?: number;
  status: 'active' | 'disabled' | 'in process';
  filter_ipv6?: boolean;
  whitelist_hos?: boolean;
  port?: string;
  rules?: { input?: Rule[]; output?: Rule[] };
}

/** The form body of a full-replace POST: everything read, with only `status` changed. */
export function firewallForm(firewall: HetznerFirewall, status: 'active' | 'disabled'): string {
  const form = new URLSearchParams();
  form.set('status', status);
  if (firewall.filter_ipv6 !== undefined) form.set('filter_ipv6', String(firewall.filter_ipv6));
  if (firewall.whitelist_hos !== undefined) form.set('whitelist_hos', String(firewall.whitelist_hos));
  if (firewall.port !== undefined) form.set('port', firewall.port);
  for (const direction of ['input', 'output'] as const) {
    (firewall.rules?.[direction] ?? []).forEach((rule, index) => {
      for (const field of RULE_FIELDS) {
        const value = rule[field];
        if (value !== null && value !== undefined) form.set(`rules[${direction}][${index}][${field}]`, String(value));
      }
    });
  }
  return form.toString();
}

interface RobotError {
  error?: { status?: number; code?: string; message?: string; interval?: number };
}

function classifyHetznerResponse(response: AxiosResponse<unknown>): ProviderError | null {
  if (response.status >= 200 && response.status < 300) return null;
  const error = (response.data as RobotError | undefined)?.error ?? {};
  const code = error.code;
  const details = { status: response.status, ...(code ? { providerCode: code } : {}) };
  const text = `hetzner: HTTP ${response.status}${code ? ` [${code}]` : ''} ${error.message ?? ''}`.trim();
  if (response.status === 401) return new ProviderAuthError(text, details);
  if (code === 'RATE_LIMIT_EXCEEDED') {
    const interval = typeof error.interval === 'number' ? error.interval : undefined;
    return new ProviderRateLimitedError(text, interval === undefined ? details : { ...details, retryAfterMs: interval * 1000 });
  }
  if (code === 'FIREWALL_IN_PROCESS') return new ProviderBusyError(text, { ...details, retryAfterMs: IN_PROCESS_RETRY_MS });
  if (response.status === 403) return new ProviderAuthError(text, details);
  if (response.status === 404) return new ProviderConfigError(text, details);
  if (response.status >= 500) return new ProviderUnavailableError(text, details);
  return new ProviderRejectedError(text, details);
}

export function createHetznerProvider(options: { baseUrl?: string; timeoutMs?: number; budget?: LoginBudget } = {}): ProviderAdapter {
  const http = createHttpClient(options.baseUrl ?? DEFAULT_HETZNER_ROBOT_URL, options.timeoutMs);
  const budget = options.budget ?? loginBudget('hetzner', memoryLoginFailures(), { failures: 2, windowMs: HETZNER_LOGIN_WINDOW_MS });

  function target(integration: LoadedIntegration) {
    const settings = hetznerSettings.safeParse(integration.settings);
    const credentials = hetznerCredentials.safeParse(integration.credentials);
    if (!settings.success) throw new ProviderConfigError('hetzner: settings.serverNumber must be a positive integer');
    if (!credentials.success) throw new ProviderConfigError('hetzner: username and password are required');
    const { username, password } = credentials.data;
    const fingerprint = createHash('sha256').update(`${username}\0${password}`).digest('hex');
    return { path: `/firewall/${segment(settings.data.serverNumber)}`, auth: { username, password }, fingerprint, server: settings.data.serverNumber };
  }
  type Target = ReturnType<typeof target>;

  async function call(t: Target, purpose: LoginPurpose, method: 'GET' | 'POST', data?: string): Promise<HetznerFirewall> {
    await budget.check(t.fingerprint, purpose);
    const response = await send<{ firewall?: HetznerFirewall }>(http, 'hetzner', {
      method,
      url: t.path,
      auth: t.auth,
      ...(data === undefined ? {} : { data, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }),
    });
    const error = classifyHetznerResponse(response);
    if (error) {
      if (response.status === 401) {
        await budget.failed(t.fingerprint);
        throw new HetznerLoginFailedError(`${error.message} (credentials rejected, or this address is locked out by Robot)`, {
          ...error.details,
          retryAfterMs: LOGIN_RETRY_MS,
        });
      }
      throw error;
    }
    if (!response.data?.firewall) throw new ProviderUnavailableError(`hetzner: answer for server ${t.server} has no firewall`);
    return response.data.firewall;
  }

  function toStatus(t: Target, firewall: HetznerFirewall): ProviderStatus {
    return {
      diverted: firewall.status === 'active',
      pending: firewall.status === 'in process',
      detail: `firewall of server ${t.server} ${firewall.status}`,
    };
  }

  async function setStatus(integration: LoadedIntegration, status: 'active' | 'disabled'): Promise<ProviderStatus> {
    const t = target(integration);
    const current = await call(t, 'operation', 'GET');
    if (current.status === status) return toStatus(t, current);
    if (current.status === 'in process') {
      throw new ProviderBusyError(`hetzner: firewall of server ${t.server} is in process`, { retryAfterMs: IN_PROCESS_RETRY_MS });
    }
    if (status === 'active' && (current.rules?.input ?? []).length === 0) {
      throw new ProviderConfigError(`hetzner: the firewall of server ${t.server} has no input rules; activating it would block all incoming traffic. Add rules in Robot first`);
    }
    const updated = await call(t, 'operation', 'POST', firewallForm(current, status));
    // Robot answers "in process" while it applies the change (20–30 s): the change is under way.
    return { ...toStatus(t, updated), diverted: status === 'active' };
  }

  return {
    activate: (integration) => setStatus(integration, 'active'),
    withdraw: (integration) => setStatus(integration, 'disabled'),
    async status(integration) {
      const t = target(integration);
      return toStatus(t, await call(t, 'read', 'GET'));
    },
    async test(integration) {
      const t = target(integration);
      const firewall = await call(t, 'read', 'GET');
      const input = firewall.rules?.input?.length ?? 0;
      const output = firewall.rules?.output?.length ?? 0;
      const warnings = input === 0 ? ['no input rules: activating this firewall would block all incoming traffic'] : [];
      return {
        ok: warnings.length === 0,
        summary: `webservice user works; firewall of server ${t.server} is ${firewall.status} with ${input} input and ${output} output rules`,
        warnings,
      };
    },
  };
}
