/** Cloudflare Magic Transit on-demand: a BYOIP prefix advertised over BGP (adapter: activities/providers/cloudflare.ts). */
import { z } from 'zod';
import type { ProviderDefinition } from './contract';

const cloudflareId = z.string().regex(/^[0-9a-fA-F]{1,32}$/, 'a Cloudflare ID (up to 32 hex characters)');

/**
 * Cloudflare accepts one advertisement change per prefix every 15 minutes and takes 2–7 minutes
 * to advertise (about 15 to withdraw), so a diversion stays 15 minutes and a withdrawn prefix
 * waits 15 minutes before it is advertised again.
 */
export const cloudflare = {
  type: 'cloudflare',
  label: 'Cloudflare Magic Transit',
  operations: { activate: 'cloudflare.advertise', withdraw: 'cloudflare.withdraw' },
  timing: { minActiveSeconds: 900, reactivateAfterSeconds: 900, why: 'Cloudflare accepts one advertisement change per prefix every 15 minutes' },
  settings: z.object({ accountId: cloudflareId, prefixId: cloudflareId, bgpPrefixId: cloudflareId.optional() }),
  credentials: z.object({ apiToken: z.string().min(1) }),
  urlEnv: 'CLOUDFLARE_API_URL',
} as const satisfies ProviderDefinition;
