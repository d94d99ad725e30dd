/** Workspaces and the versioned configuration snapshot the workflow receives. */
import type { WorkspaceConfig } from '../workflows/messages';
import { ConflictError, isDuplicateKey } from './errors';
import type { Models } from './models';

export interface Workspace {
  id: string;
  name: string;
  holdDownSeconds: number;
  configVersion: number;
  createdAt: Date;
  updatedAt: Date;
}

type Raw = { _id: string; name: string; holdDownSeconds: number; configVersion: number; createdAt: Date; updatedAt: Date };
const toWorkspace = ({ _id, ...rest }: Raw): Workspace => ({ id: _id, ...rest });

export function workspaceRepository({ Workspace, Integration, Channel }: Models) {
  return {
    async create(input: { id: string; name: string; holdDownSeconds?: number }): Promise<Workspace> {
      try {
        const created = await Workspace.create({ _id: input.id, name: input.name, holdDownSeconds: input.holdDownSeconds ?? 300 });
        return toWorkspace(created.toObject());
      } catch (err) {
        if (isDuplicateKey(err)) throw new ConflictError(`workspace ${input.id} already exists`);
        throw err;
      }
    },

    async get(id: string): Promise<Workspace | null> {
      const found = await Workspace.findById(id).lean<Raw>();
      return found ? toWorkspace(found) : null;
    },

    async update(id: string, patch: { name?: string; holdDownSeconds?: number }): Promise<Workspace | null> {
      const updated = await Workspace.findByIdAndUpdate(id, { $set: patch, $inc: { configVersion: 1 } }, { new: true }).lean<Raw>();
      return updated ? toWorkspace(updated) : null;
    },

    /** Call after any integration change, before reading the snapshot to send. */
    async bumpConfigVersion(id: string): Promise<void> {
      await Workspace.updateOne({ _id: id }, { $inc: { configVersion: 1 } });
    },

    /** The non-secret configuration of a workspace, read after its version (so the highest version sees every change). */
    async configSnapshot(id: string): Promise<WorkspaceConfig | undefined> {
      const workspace = await Workspace.findById(id).lean<Raw>();
      if (!workspace) return undefined;
      const integrations = await Integration.find({ workspace: id, deletedAt: null })
        .sort({ createdAt: 1 })
        .select({ type: 1, name: 1, autoDivert: 1, scope: 1 })
        .lean<{ _id: string; type: string; name: string; autoDivert: boolean; scope: 'workspace' | string[] }[]>();
      const channels = await Channel.countDocuments({ workspace: id });
      return {
        version: workspace.configVersion,
        holdDownSeconds: workspace.holdDownSeconds,
        integrations: integrations.map((i) => ({ id: i._id, type: i.type, name: i.name, autoDivert: i.autoDivert, scope: i.scope })),
        ...(channels > 0 ? { notifications: true } : {}),
      };
    },
  };
}

export type WorkspaceRepository = ReturnType<typeof workspaceRepository>;
