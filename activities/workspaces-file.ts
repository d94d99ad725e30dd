/**
 * A JSON file of workspaces and their integrations (credentials included): the
 * configuration source for the worker and the API until the MongoDB store with
 * encrypted credentials lands (issue C). For development and tests only; the
 * file must never be committed with real credentials.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { WorkspaceConfig } from '../workflows/messages';
import { isValidCidr } from '../workflows/cidr';
import { InMemoryIntegrationStore } from './integration-store';

const integrationEntry = z
  .object({
    id: z.string().min(1).max(200),
    type: z.enum(['cloudflare', 'ovh', 'hetzner']),
    name: z.string().max(200).optional(),
    autoDivert: z.boolean().default(true),
    scope: z.union([z.literal('workspace'), z.array(z.string().refine(isValidCidr, 'a CIDR')).min(1)]).default('workspace'),
    settings: z.record(z.string(), z.unknown()),
    credentials: z.record(z.string(), z.unknown()),
  })
  .strict();

const workspaceEntry = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/),
    holdDownSeconds: z.number().int().min(0).max(86_400).default(300),
    integrations: z.array(integrationEntry).default([]),
  })
  .strict();

export const workspacesFileSchema = z.object({ workspaces: z.array(workspaceEntry) }).strict();
export type WorkspacesFile = z.infer<typeof workspacesFileSchema>;

export function readWorkspacesFile(path: string): WorkspacesFile {
  const parsed = workspacesFileSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => i.path.join('.')).join(', ');
    throw new Error(`${path}: invalid workspaces file (${where})`);
  }
  return parsed.data;
}

/** The non-secret configuration the workflow receives. */
export function workspaceConfigOf(file: WorkspacesFile, workspaceId: string, version = 1): WorkspaceConfig | undefined {
  const workspace = file.workspaces.find((w) => w.id === workspaceId);
  if (!workspace) return undefined;
  return {
    version,
    holdDownSeconds: workspace.holdDownSeconds,
    integrations: workspace.integrations.map(({ id, type, name, autoDivert, scope }) => ({
      id,
      type,
      autoDivert,
      scope,
      ...(name === undefined ? {} : { name }),
    })),
  };
}

export function integrationStoreOf(file: WorkspacesFile): InMemoryIntegrationStore {
  const store = new InMemoryIntegrationStore();
  for (const workspace of file.workspaces) {
    for (const { id, type, settings, credentials } of workspace.integrations) {
      store.put({ id, workspaceId: workspace.id, type, settings, credentials });
    }
  }
  return store;
}
