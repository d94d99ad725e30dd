/** Builds the registry of provider adapters from base URLs (environment overrides only, never per integration). */
import { createCloudflareProvider } from './cloudflare';
import { createHetznerProvider } from './hetzner';
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

export function createProviderRegistry(urls: ProviderUrls = {}): ProviderRegistry {
  return {
    cloudflare: createCloudflareProvider(urls.cloudflare ? { baseUrl: urls.cloudflare } : {}),
    ovh: createOvhProvider(urls.ovh ? { baseUrl: urls.ovh } : {}),
    hetzner: createHetznerProvider(urls.hetzner ? { baseUrl: urls.hetzner } : {}),
  };
}
