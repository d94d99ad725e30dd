/**
 * The workspaces the bench attacks. Ours are stored with the API's own repositories
 * (workspace with hold-down 0 and reconciliation after an hour, an owner key, one Cloudflare integration with encrypted
 * credentials on its own simulated account and prefix): the same records the API would
 * write, without its audit entries, which are not what is measured; then, as the API does
 * for a workspace's first integration, its workflow is started with the configuration. The baseline's are a
 * prefix each in the simulator plus an entry in the baseline endpoint's map.
 */
import { randomBytes } from 'node:crypto';
import { createScrubbingService } from '../api/scrubbing-service';
import { TASK_QUEUE } from '../workflows/messages';
import { apiKeyRepository } from '../store/api-keys';
import { channelRepository } from '../store/channels';
import { integrationRepository } from '../store/integrations';
import { workspaceRepository } from '../store/workspaces';
import { mapBounded } from './pool';
import type { Stack } from './stack';

export interface SimulatedPrefix {
  accountId: string;
  prefixId: string;
  bgpPrefixId: string;
}

export interface ApiWorkspace {
  id: string;
  ownerKey: string;
  integrationId: string;
  prefix: SimulatedPrefix;
}

const hex = () => randomBytes(16).toString('hex');

/** The bench workspaces' `reconcileActiveSeconds` (default 60, idle 1,800; here the idle one is twice this): beyond the whole run. */
export const BENCH_RECONCILE_SECONDS = 3_600;

export async function createApiWorkspaces(stack: Stack, ids: string[], concurrency = 8): Promise<ApiWorkspace[]> {
  const workspaces = workspaceRepository(stack.database.models);
  const apiKeys = apiKeyRepository(stack.database.models);
  const integrations = integrationRepository(stack.database.models, stack.cipher);
  const publish = publisher(stack);
  return mapBounded(ids, concurrency, async (id) => {
    // Reconciliation reads only after an hour, longer than any run: a phase's status reads would
    // otherwise fire (60 s after each diversion) during the next phase, ours or the baseline's,
    // which has none. The idle interval stays the longer one, so the timer moves as in production:
    // a diversion brings it forward (one timer cancelled, one started), a withdrawal leaves it.
    await workspaces.create({ id, name: `bench ${id}`, holdDownSeconds: 0, policy: { reconcileActiveSeconds: BENCH_RECONCILE_SECONDS, reconcileIdleSeconds: 2 * BENCH_RECONCILE_SECONDS } });
    const owner = await apiKeys.create(id, 'owner', 'owner');
    const prefix = { accountId: hex(), prefixId: hex(), bgpPrefixId: hex() };
    const token = `bench-${hex()}`;
    await stack.simulator.seed([{ ...prefix, token, cidr: '192.0.2.0/24' }]);
    const integration = await integrations.create(id, {
      type: 'cloudflare',
      name: 'Magic Transit (simulated)',
      // The simulator has no change window: no provider windows, so cycles divert and withdraw back to back.
      minActiveSeconds: 0,
      reactivateAfterSeconds: 0,
      // No calm gate either: the withdraw burst measures the withdrawal itself, as in every run before the gate.
      calmGate: false,
      settings: prefix,
      credentials: { apiToken: token },
    });
    await publish(id);
    return { id, ownerKey: owner.key, integrationId: integration.id, prefix };
  });
}

/** The API's scrubbing service as the bench's fixtures use it: publishes a workspace's configuration to its workflow. */
function publisher(stack: Stack) {
  const workspaces = workspaceRepository(stack.database.models);
  const scrubbing = createScrubbingService({ client: stack.client, taskQueue: TASK_QUEUE, manualActionTimeoutMs: 30_000, directory: { configOf: (ws) => workspaces.configSnapshot(ws) } });
  return async (id: string) => {
    await workspaces.bumpConfigVersion(id);
    await scrubbing.publishConfig(id);
  };
}

/** A webhook channel on each workspace, as the API would store it (the worker allows the loopback receiver: OUTBOUND_ALLOW). */
export async function addHungChannels(stack: Stack, ids: string[], url: string): Promise<void> {
  const channels = channelRepository(stack.database.models, stack.cipher);
  const publish = publisher(stack);
  await mapBounded(ids, 8, async (id) => {
    await channels.create(id, { type: 'webhook', name: 'never answers', settings: { url }, secrets: { signingSecret: hex() } });
    await publish(id);
  });
}

export async function removeChannels(stack: Stack, ids: string[]): Promise<void> {
  const channels = channelRepository(stack.database.models, stack.cipher);
  const publish = publisher(stack);
  await mapBounded(ids, 8, async (id) => {
    for (const channel of await channels.list(id)) await channels.remove(id, channel.id);
    await publish(id);
  });
}

export async function createBaselineWorkspaces(stack: Stack, ids: string[]): Promise<{ id: string; prefix: SimulatedPrefix }[]> {
  const { accountId, token } = stack.baselineAccount;
  const workspaces = ids.map((id) => ({ id, prefix: { accountId, prefixId: hex(), bgpPrefixId: hex() } }));
  await stack.simulator.seed(workspaces.map(({ prefix }) => ({ ...prefix, token, cidr: '198.51.100.0/24' })));
  for (const { id, prefix } of workspaces) stack.baselinePrefixes.set(id, prefix);
  return workspaces;
}
