/**
 * The store reads on a divert's path, timed one by one on the bench's own database (all
 * its workspaces present): the API's key lookup and configuration snapshot, which run
 * before every signal, and the activity's credential load. Explains the API's share of
 * the divert latency.
 */
import { now } from '../clock';
import type { ApiWorkspace } from '../fixtures';
import type { Stack } from '../stack';
import { round } from '../stats';
import { apiKeyRepository } from '../../store/api-keys';
import { integrationRepository } from '../../store/integrations';
import { workspaceRepository } from '../../store/workspaces';

export interface StoreReads {
  /** Workspaces (each with one integration and one key) in the database. */
  workspaces: number;
  /** Mean ms per call. */
  authenticateKeyMs: number;
  workspaceByIdMs: number;
  configSnapshotMs: number;
  loadCredentialsMs: number;
}

async function meanMs(samples: ApiWorkspace[], call: (workspace: ApiWorkspace) => Promise<unknown>): Promise<number> {
  const started = now();
  for (const workspace of samples) await call(workspace);
  return round((now() - started) / samples.length);
}

export async function measureStoreReads(stack: Stack, workspaces: ApiWorkspace[], totalWorkspaces: number): Promise<StoreReads> {
  const { models } = stack.database;
  const keys = apiKeyRepository(models);
  const repository = workspaceRepository(models);
  const integrations = integrationRepository(models, stack.cipher);
  const samples = workspaces.filter((_, i) => i % Math.max(1, Math.floor(workspaces.length / 20)) === 0).slice(0, 20);
  return {
    workspaces: totalWorkspaces,
    authenticateKeyMs: await meanMs(samples, (ws) => keys.authenticate(ws.ownerKey)),
    workspaceByIdMs: await meanMs(samples, (ws) => repository.get(ws.id)),
    configSnapshotMs: await meanMs(samples, (ws) => repository.configSnapshot(ws.id)),
    loadCredentialsMs: await meanMs(samples, (ws) => integrations.loadForOperation(ws.id, ws.integrationId)),
  };
}
