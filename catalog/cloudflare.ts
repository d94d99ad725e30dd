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
  /**
   * Network analytics (GraphQL, `magicTransitNetworkAnalyticsAdaptiveGroups`): dropped traffic per
   * prefix, one query per account a minute (300 queries per 5 minutes per user). The thresholds are
   * a public Magic Transit withdrawer's: under 5,000 dropped packets (about 17 pps) and 10 Mbps over
   * 5 minutes, then 15 calm minutes. Cloudflare samples 1 packet in 10,000, so lower thresholds
   * would read sampling noise as an attack.
   */
  telemetry: {
    activity: 'cloudflare.readTelemetry',
    source: 'Cloudflare network analytics',
    calm: {
      droppedBps: 10_000_000,
      droppedPps: 17,
      calmSeconds: 900,
      maxWaitSeconds: 7_200,
      onMaxWait: 'keep',
      why: 'a public Magic Transit withdrawer: under 5,000 dropped packets and 10 Mbps over 5 minutes, then 15 calm minutes (Cloudflare samples 1 packet in 10,000)',
    },
  },
} as const satisfies ProviderDefinition;
