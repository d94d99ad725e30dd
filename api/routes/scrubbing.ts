/** Detector and operator routes: incidents, scrubbing state, manual Activate/Withdraw. Thin: parse, call, answer. */
import { Router, type Request } from 'express';
import type { z } from 'zod';
import { validationError } from '../http-errors';
import {
  incidentParams,
  incidentResolvedBody,
  incidentStartedBody,
  integrationParams,
  manualActionBody,
  workspaceParams,
} from '../schemas';
import type { ScrubbingService } from '../scrubbing-service';
import { workspaceWorkflowId } from '../../workflows/messages';

function parse<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'params'): z.infer<S> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw validationError(result.error, where);
  return result.data;
}

export function scrubbingRouter(service: ScrubbingService): Router {
  const router = Router();

  router.post('/v1/workspaces/:ws/incidents', async (req, res) => {
    const { ws } = parse(workspaceParams, req.params, 'params');
    const body = parse(incidentStartedBody, req.body, 'body');
    await service.reportIncidentStarted(ws, body);
    res.status(202).json({ workspaceId: ws, incidentId: body.id, workflowId: workspaceWorkflowId(ws) });
  });

  router.post('/v1/workspaces/:ws/incidents/:id/resolve', async (req, res) => {
    const { ws, id } = parse(incidentParams, req.params, 'params');
    const body = parse(incidentResolvedBody, req.body, 'body');
    await service.reportIncidentResolved(ws, id, body.resolvedAt);
    res.status(202).json({ workspaceId: ws, incidentId: id, workflowId: workspaceWorkflowId(ws) });
  });

  router.get('/v1/workspaces/:ws/scrubbing', async (req, res) => {
    const { ws } = parse(workspaceParams, req.params, 'params');
    res.json(await service.readState(ws));
  });

  for (const action of ['activate', 'withdraw'] as const) {
    router.post(`/v1/workspaces/:ws/integrations/:id/${action}`, async (req: Request, res) => {
      const { ws, id } = parse(integrationParams, req.params, 'params');
      const { reason } = parse(manualActionBody, req.body, 'body');
      const integration = await service.runManualAction(ws, id, action, { actor: 'api-token', ...(reason ? { reason } : {}) });
      res.json(integration);
    });
  }

  return router;
}
