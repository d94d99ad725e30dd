/** Gcore DDoS Protection: a protected prefix announced over BGP or withdrawn (adapter: activities/providers/gcore.ts). */
import { z } from 'zod';
import { PREFIX_PATTERN, isValidCidr } from '../workflows/cidr';
import type { ProviderDefinition } from './contract';

/**
 * Gcore documents no window between announcement changes, so none is imposed; an operator who
 * wants one (upstream route-flap damping) sets minActiveSeconds / reactivateAfterSeconds.
 */
export const gcore = {
  type: 'gcore',
  label: 'Gcore DDoS Protection',
  operations: { activate: 'gcore.announce', withdraw: 'gcore.withdraw' },
  timing: { minActiveSeconds: 0, reactivateAfterSeconds: 0, why: 'Gcore documents no window between announcement changes' },
  settings: z.object({
    // The pattern is published in /openapi.json: every string it matches is accepted.
    prefix: z.string().max(49).regex(PREFIX_PATTERN, 'a prefix such as 192.0.2.0/24').refine(isValidCidr, 'a prefix such as 192.0.2.0/24'),
    /** A reseller acting for one of its clients (the `client_id` query parameter); absent for an account's own prefixes. */
    clientId: z.number().int().positive().max(2_147_483_647).optional(),
  }),
  credentials: z.object({ apiKey: z.string().min(1) }),
  urlEnv: 'GCORE_API_URL',
} as const satisfies ProviderDefinition;
