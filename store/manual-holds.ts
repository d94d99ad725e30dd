/**
 * Manual holds: each integration's last manual action (Activate or Withdraw), written by the API
 * once the workflow accepted it. A manual Activate lives in the run's state; a run that starts
 * without a predecessor (the last one was terminated or failed) reads the Activates here with its
 * incidents (store/incidents.ts `recover`, workflows/recovery.ts) and keeps those integrations
 * diverted until an operator withdraws them, as the operator asked. One document per integration
 * (so a workspace has at most as many as its integrations), removed with the integration. A
 * Withdraw keeps its document, so an older Activate written late cannot overwrite it.
 */
import type { Operation } from '../workflows/state';
import { isDuplicateKey } from './errors';
import type { Models } from './models';

/** Recovery reads at most this many held integrations of a workspace (more than any workspace may have). */
const MAX_MANUAL_HOLDS = 1_000;

const keyOf = (workspace: string, integrationId: string) => `${workspace}/${integrationId}`;

export function manualHoldRepository({ ManualHold }: Pick<Models, 'ManualHold'>) {
  return {
    /** The integration's manual action at `at`; one recorded at a later time stays. */
    async record(workspace: string, integrationId: string, action: Operation, at = new Date()): Promise<void> {
      try {
        await ManualHold.updateOne({ _id: keyOf(workspace, integrationId), at: { $lte: at } }, { $set: { workspace, integrationId, action, at } }, { upsert: true });
      } catch (err) {
        // The document exists with a later action: the upsert's insert collides with it, and it stays.
        if (!isDuplicateKey(err)) throw err;
      }
    },

    /** Integrations of the workspace whose last manual action is an Activate. */
    async activated(workspace: string): Promise<string[]> {
      const rows = await ManualHold.find({ workspace, action: 'activate' }).sort({ _id: 1 }).limit(MAX_MANUAL_HOLDS).lean<{ integrationId: string }[]>();
      return rows.map((row) => row.integrationId);
    },

    /** The integration is deleted: its manual action goes with it. */
    async forget(workspace: string, integrationId: string): Promise<void> {
      await ManualHold.deleteOne({ _id: keyOf(workspace, integrationId) });
    },
  };
}

export type ManualHoldRepository = ReturnType<typeof manualHoldRepository>;
