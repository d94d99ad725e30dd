/** GET /v1/me: who the presented key is (workspace, role, rights) and where its workflow is in the Temporal UI. Any workspace key. */
import { Router } from 'express';
import { callerOf, rightsOf } from '../auth';
import { HttpError } from '../http-errors';
import { errorResponses, json, registry, security } from '../openapi';
import { MeOut } from '../schemas';
import { workspaceWorkflowUrl } from '../temporal-ui';

registry.registerPath({
  method: 'get',
  path: '/v1/me',
  summary: "The calling key: its workspace, role and rights, and the workspace workflow's Temporal UI link (any workspace key; not the server admin token)",
  security,
  responses: { 200: json(MeOut, 'The key'), ...errorResponses(403) },
});

export interface TemporalUi {
  /** TEMPORAL_UI_URL; absent: no links. */
  url?: string;
  namespace: string;
}

export function meRouter(temporalUi: TemporalUi): Router {
  const router = Router();
  router.get('/v1/me', (_req, res) => {
    const caller = callerOf(res);
    if (caller.kind !== 'key') throw new HttpError(403, 'forbidden', 'the server admin token belongs to no workspace: use a workspace API key');
    res.json({
      workspaceId: caller.workspace,
      role: caller.role,
      keyId: caller.keyId,
      keyName: caller.keyName,
      rights: rightsOf(caller.role),
      temporalUiUrl: temporalUi.url?.replace(/\/+$/, '') ?? null,
      workflowUrl: temporalUi.url ? workspaceWorkflowUrl(temporalUi.url, temporalUi.namespace, caller.workspace) : null,
    });
  });
  return router;
}
