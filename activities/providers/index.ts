/**
 * The provider adapters, one per type of the catalog (catalog/index.ts), built from base URLs
 * (environment overrides only, never per integration). A type of the catalog without an adapter
 * here does not compile.
 */
import type { ProviderType } from '../../catalog';
import type { LoginFailureStore, ProviderAdapter, ProviderRegistry } from '../../catalog/contract';
import { createCloudflareProvider } from './cloudflare';
import { createGcoreProvider } from './gcore';
import { HETZNER_LOGIN_WINDOW_MS, createHetznerProvider } from './hetzner';
import { loginBudget, memoryLoginFailures } from './login-budget';
import { createOvhProvider } from './ovh';

/** Per provider type, the base URL that replaces its API's for every integration (OVH: the chosen endpoint's). */
export type ProviderUrls = Partial<Record<ProviderType, string>>;

export interface ProviderRegistryOptions {
  /** Where failed logins are kept (shared by workers: MongoDB); default this process's memory. */
  loginFailures?: LoginFailureStore;
  /** Failed logins allowed per lock window and egress address (LOGIN_FAILURE_BUDGET); default 2. */
  loginFailureBudget?: number;
}

interface AdapterContext {
  baseUrl?: string;
  loginFailures: LoginFailureStore;
  loginFailureBudget: number;
}

const ADAPTERS: Record<ProviderType, (context: AdapterContext) => ProviderAdapter> = {
  cloudflare: ({ baseUrl }) => createCloudflareProvider(baseUrl ? { baseUrl } : {}),
  ovh: ({ baseUrl }) => createOvhProvider(baseUrl ? { baseUrl } : {}),
  hetzner: ({ baseUrl, loginFailures, loginFailureBudget }) =>
    createHetznerProvider({
      ...(baseUrl ? { baseUrl } : {}),
      budget: loginBudget('hetzner', loginFailures, { failures: loginFailureBudget, windowMs: HETZNER_LOGIN_WINDOW_MS }),
    }),
  gcore: ({ baseUrl }) => createGcoreProvider(baseUrl ? { baseUrl } : {}),
};

export function createProviderRegistry(urls: ProviderUrls = {}, options: ProviderRegistryOptions = {}): ProviderRegistry {
  const loginFailures = options.loginFailures ?? memoryLoginFailures();
  const loginFailureBudget = options.loginFailureBudget ?? 2;
  return Object.fromEntries(
    (Object.keys(ADAPTERS) as ProviderType[]).map((type) => {
      const baseUrl = urls[type];
      return [type, ADAPTERS[type]({ ...(baseUrl ? { baseUrl } : {}), loginFailures, loginFailureBudget })];
    }),
  );
}
