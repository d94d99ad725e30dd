/** Builds the registry of provider adapters from base URLs (environment overrides only, never per integration). */
import { createCloudflareProvider, DEFAULT_CLOUDFLARE_API_URL } from './cloudflare';
import type { ProviderRegistry } from './types';

export interface ProviderUrls {
  cloudflare?: string;
}

export function providerUrlsFromEnv(env: NodeJS.ProcessEnv = process.env): ProviderUrls {
  return { cloudflare: env.CLOUDFLARE_API_URL || DEFAULT_CLOUDFLARE_API_URL };
}

export function createProviderRegistry(urls: ProviderUrls = {}): ProviderRegistry {
  return {
    cloudflare: createCloudflareProvider(urls.cloudflare ? { baseUrl: urls.cloudflare } : {}),
  };
}
