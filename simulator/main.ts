/**
 * `npm run simulator`: the provider simulator on SIMULATOR_PORT (default 8299), loopback only.
 * Timings default to the providers' documented ones; SIM_CLOUDFLARE_CHANGE_INTERVAL_SECONDS,
 * SIM_OVH_PENDING_MS and SIM_HETZNER_IN_PROCESS_MS shorten them (the dev stack does).
 */
import { PROVIDERS } from '../catalog';
import { startSimulator } from './index';
import type { SimTiming } from './clock';

function timingFromEnv(env: NodeJS.ProcessEnv): Partial<SimTiming> {
  const read = (name: string) => (env[name] === undefined || env[name] === '' ? undefined : Number(env[name]));
  const timing: Partial<SimTiming> = {};
  const cloudflare = read('SIM_CLOUDFLARE_CHANGE_INTERVAL_SECONDS');
  const ovh = read('SIM_OVH_PENDING_MS');
  const hetzner = read('SIM_HETZNER_IN_PROCESS_MS');
  if (cloudflare !== undefined) timing.cloudflareChangeIntervalSeconds = cloudflare;
  if (ovh !== undefined) timing.ovhPendingMs = ovh;
  if (hetzner !== undefined) timing.hetznerInProcessMs = hetzner;
  return timing;
}

const port = Number(process.env.SIMULATOR_PORT ?? 8299);
startSimulator({ port, timing: timingFromEnv(process.env) })
  .then((sim) => {
    const urls = PROVIDERS.map((provider) => `${provider.urlEnv}=${sim.providerUrls[provider.type]}`);
    process.stdout.write(`provider simulator on ${sim.url}: ${urls.join(' ')}\n`);
    const stop = () => void sim.close().then(() => process.exit(0));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  })
  .catch((err: unknown) => {
    process.stderr.write(`simulator failed to start: ${String(err)}\n`);
    process.exit(1);
  });
