/** Detector and operator routes: incidents, scrubbing state, manual Activate/Withdraw. Thin: parse, call, answer. */
import { Router } from 'express';
import { actorOf, allow } from '../auth';
import { errorResponses, json, registry, security } from '../openapi';
import {
  IncidentAcceptedOut,
  IntegrationStateOut,
  ManualActionPendingOut,
  ScrubbingOut,
  incidentResolvedBody,
  incidentStartedBody,
  manualActionBody,
  resourceParams,
  workspaceParams,
} from '../schemas';
import type { IncidentIntake } from '../intake';
import type { ScrubbingService } from '../scrubbing-service';
import { parse } from '../validate';
import { workspaceWorkflowId } from '../../workflows/messages';

registry.registerPath({
  method: 'post',
  path: '/v1/workspaces/{ws}/incidents',
  summary: 'Report an incident started (detector, admin, owner); idempotent on id',
  security,
  request: { params: workspaceParams, body: { required: true, content: { 'application/json': { schema: incidentStartedBody } } } },
  responses: { 202: json(IncidentAcceptedOut, 'Accepted: delivered, or kept and delivered as soon as Temporal takes it'), ...errorResponses(403) },
});
registry.registerPath({
  method: 'post',
  path: '/v1/workspaces/{ws}/incidents/{id}/resolve',
  summary: 'Report an incident resolved (detector, admin, owner)',
  security,
  request: { params: resourceParams, body: { content: { 'application/json': { schema: incidentResolvedBody } } } },
  responses: { 202: json(IncidentAcceptedOut, 'Accepted: delivered, or kept and delivered as soon as Temporal takes it'), ...errorResponses(403) },
});
registry.registerPath({
  method: 'get',
  path: '/v1/workspaces/{ws}/scrubbing',
  summary: 'Active incidents and per-integration scrubbing state (any role)',
  security,
  request: { params: workspaceParams },
  responses: { 200: json(ScrubbingOut, 'State'), ...errorResponses() },
});
for (const action of ['activate', 'withdraw']) {
  registry.registerPath({
    method: 'post',
    path: `/v1/workspaces/{ws}/integrations/{id}/${action}`,
    summary: `Manual ${action} (owner, admin); answers after the provider call`,
    security,
    request: { params: resourceParams, body: { content: { 'application/json': { schema: manualActionBody } } } },
    responses: {
      200: json(IntegrationStateOut, "The integration's resulting state"),
      202: json(ManualActionPendingOut, 'Not finished within MANUAL_ACTION_TIMEOUT_SECONDS: taken by the workflow, or sent and not yet confirmed (the message says which)'),
      ...errorResponses(403, 409, 422),
    },
  });
}

export function scrubbingRouter(service: ScrubbingService, intake: IncidentIntake): Router {
  const router = Router();

  // Kept before the answer, delivered at once or as soon as Temporal can take it: always 202 (429 when the workspace's queue is full).
  router.post('/v1/workspaces/:ws/incidents', allow('incidents.report'), async (req, res) => {
    const { ws } = parse(workspaceParams, req.params, 'params');
    const { id, ...rest } = parse(incidentStartedBody, req.body, 'body');
    const version = await service.configVersionOf(ws);
    const requestId = res.locals.requestId as string | undefined;
    const answer = await intake.accept(ws, { kind: 'started', payload: { incidentId: id, ...rest, ...(requestId ? { requestId } : {}) } }, version);
    res.status(202).json({ workspaceId: ws, incidentId: id, workflowId: workspaceWorkflowId(ws), ...answer });
  });

  router.post('/v1/workspaces/:ws/incidents/:id/resolve', allow('incidents.report'), async (req, res) => {
    const { ws, id } = parse(resourceParams, req.params, 'params');
    const { resolvedAt } = parse(incidentResolvedBody, req.body, 'body');
    const version = await service.configVersionOf(ws);
    const answer = await intake.accept(ws, { kind: 'resolved', payload: { incidentId: id, ...(resolvedAt ? { resolvedAt } : {}) } }, version);
    res.status(202).json({ workspaceId: ws, incidentId: id, workflowId: workspaceWorkflowId(ws), ...answer });
  });

  router.get('/v1/workspaces/:ws/scrubbing', allow('scrubbing.read'), async (req, res) => {
    const { ws } = parse(workspaceParams, req.params, 'params');
    const [state, queue] = await Promise.all([service.readState(ws), intake.queueOf(ws)]);
    res.json({ ...state, intake: { queuedReports: queue.queued, oldestQueuedAt: queue.oldestAt?.toISOString() ?? null } });
  });

  for (const action of ['activate', 'withdraw'] as const) {
    router.post(`/v1/workspaces/:ws/integrations/:id/${action}`, allow('integrations.write'), async (req, res) => {
      const { ws, id } = parse(resourceParams, req.params, 'params');
      const { reason } = parse(manualActionBody, req.body, 'body');
      const meta = { actor: actorOf(res), requestId: res.locals.requestId as string, ...(reason ? { reason } : {}) };
      const outcome = await service.runManualAction(ws, id, action, meta);
      if (outcome.done) res.json(outcome.view);
      else {
        res.status(202).json({
          status: 'pending',
          workflowId: outcome.workflowId,
          message: outcome.accepted
            ? `the ${action} is in the workflow's history and runs to its end; GET /v1/workspaces/${ws}/scrubbing shows its outcome`
            : `the ${action} was sent; the workflow has not confirmed it yet (is a worker running?); GET /v1/workspaces/${ws}/scrubbing shows whether it took effect`,
        });
      }
    });
  }

  return router;
}
