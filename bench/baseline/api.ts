/**
 * The bare baseline's HTTP endpoint, driven like our API: `POST /baseline/:ws/incidents`
 * and `POST /baseline/:ws/incidents/:id/resolve` (express, JSON body) answer 202 after one
 * signal-with-start. No authentication and no database: the prefix comes from a map.
 */
import express from 'express';
import type { Client } from '@temporalio/client';
import { BASELINE_TASK_QUEUE, BASELINE_WORKFLOW_TYPE, baselineAdvertiseSignal, baselineWorkflowId, type BaselinePrefix } from './messages';

export function createBaselineApi(client: Client, prefixes: ReadonlyMap<string, BaselinePrefix>): express.Express {
  const app = express();
  app.use(express.json({ limit: '64kb' }));

  async function signal(workspaceId: string, advertised: boolean): Promise<boolean> {
    const prefix = prefixes.get(workspaceId);
    if (!prefix) return false;
    await client.workflow.signalWithStart<(p: BaselinePrefix) => Promise<void>, [boolean]>(BASELINE_WORKFLOW_TYPE, {
      workflowId: baselineWorkflowId(workspaceId),
      taskQueue: BASELINE_TASK_QUEUE,
      args: [prefix],
      signal: baselineAdvertiseSignal,
      signalArgs: [advertised],
    });
    return true;
  }

  app.post('/baseline/:ws/incidents', async (req, res) => {
    res.status((await signal(req.params.ws, true)) ? 202 : 404).json({});
  });
  app.post('/baseline/:ws/incidents/:id/resolve', async (req, res) => {
    res.status((await signal(req.params.ws, false)) ? 202 : 404).json({});
  });
  return app;
}
