/** Builds the registry of provider adapters from base URLs (environment overrides only, never per integration). */
import { createCloudflareProvider } from './cloudflare';
import { HETZNER_LOGIN_WINDOW_MS, createHetznerProvider } from './hetzner';
import { loginBudget, memoryLoginFailures, type LoginFailureStore } from './login-budget';
import { createOvhProvider } from './ovh';
import type { ProviderRegistry } from './types';

export interface ProviderUrls {
  cloudflare?: string;
  /** Replaces the chosen OVH endpoint's base URL for every integration. */
  ovh?: string;
  hetzner?: string;
}

export function providerUrlsFromEnv(env: NodeJS.ProcessEnv = process.env): ProviderUrls {
  return {
    ...(env.CLOUDFLARE_API_URL ? { cloudflare: env.CLOUDFLARE_API_URL } : {}),
    ...(env.OVH_API_URL ? { ovh: env.OVH_API_URL } : {}),
    ...(env.HETZNER_ROBOT_URL ? { hetzner: env.HETZNER_ROBOT_URL } : {}),
  };
}

export interface ProviderRegistryOptions {
  /** Where failed logins are kept (shared by workers: MongoDB); default this process's memory. */
  loginFailures?: LoginFailureStore;
  /** Failed logins allowed per lock window and egress address (LOGIN_FAILURE_BUDGET); default 2. */
  loginFailureBudget?: number;
}

export function createProviderRegistry(urls: ProviderUrls = {}, options: ProviderRegistryOptions = {}): ProviderRegistry {
  const hetznerBudget = loginBudget('hetzner', options.loginFailures ?? memoryLoginFailures(), {
    failures: options.loginFailureBudget ?? 2,
    windowMs: HETZNER_LOGIN_WINDOW_MS,
  });
  return {
    cloudflare: createCloudflareProvider(urls.cloudflare ? { baseUrl: urls.cloudflare } : {}),
    ovh: createOvhProvider(urls.ovh ? { baseUrl: urls.ovh } : {}),
    hetzner: createHetznerProvider({ ...(urls.hetzner ? { baseUrl: urls.hetzner } : {}), budget: hetznerBudget }),
  };
}
