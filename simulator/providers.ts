/** Every simulated provider, one line each: the simulator, its URLs and its admin API are built from this list. */
import type { ProviderType } from '../catalog';
import { cloudflareSimulator } from './cloudflare';
import { gcoreSimulator } from './gcore';
import { hetznerSimulator } from './hetzner';
import { ovhSimulator } from './ovh';
import type { SimulatedProvider } from './provider';

export const SIMULATED_PROVIDERS = {
  cloudflare: cloudflareSimulator,
  ovh: ovhSimulator,
  hetzner: hetznerSimulator,
  gcore: gcoreSimulator,
} satisfies { [K in ProviderType]: { type: K } };

export type SimulatedStates = { [K in ProviderType]: ReturnType<(typeof SIMULATED_PROVIDERS)[K]['createState']> };

/** The list, in registration order, for code that treats every provider alike. */
export const simulatedProviders = Object.values(SIMULATED_PROVIDERS) as SimulatedProvider<unknown>[];
