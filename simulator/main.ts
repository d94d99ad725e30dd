/** `npm run simulator`: the provider simulator on SIMULATOR_PORT (default 8299), loopback only. */
import { startSimulator } from './index';

const port = Number(process.env.SIMULATOR_PORT ?? 8299);
startSimulator({ port })
  .then((sim) => {
    process.stdout.write(
      `provider simulator on ${sim.url}: CLOUDFLARE_API_URL=${sim.cloudflareUrl} OVH_API_URL=${sim.ovhUrl} HETZNER_ROBOT_URL=${sim.hetznerUrl}\n`,
    );
    const stop = () => void sim.close().then(() => process.exit(0));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  })
  .catch((err: unknown) => {
    process.stderr.write(`simulator failed to start: ${String(err)}\n`);
    process.exit(1);
  });
