/** Hetzner Robot firewall of one dedicated server (adapter: activities/providers/hetzner.ts). */
import { z } from 'zod';
import type { ProviderDefinition } from './contract';

/** Hetzner's firewall is "in process" for tens of seconds after a change and refuses another meanwhile: one minute each way. */
export const hetzner = {
  type: 'hetzner',
  label: 'Hetzner Robot firewall',
  operations: { activate: 'hetzner.activateFirewall', withdraw: 'hetzner.disableFirewall' },
  timing: { minActiveSeconds: 60, reactivateAfterSeconds: 60, why: 'a Hetzner firewall change stays "in process" for tens of seconds' },
  settings: z.object({ serverNumber: z.number().int().positive().max(2_147_483_647) }),
  credentials: z.object({ username: z.string().min(1), password: z.string().min(1) }),
  urlEnv: 'HETZNER_ROBOT_URL',
} as const satisfies ProviderDefinition;
