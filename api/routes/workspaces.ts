/** Workspaces and their API keys. Creating a workspace needs the server admin token and returns an owner key once. */
import { Router } from 'express';
import { z } from 'zod';
import { actorOf, adminOnly, allow } from '../auth';
import { errorResponses, json, registry, security } from '../openapi';
import { ApiKeyOut, CreatedApiKeyOut, WorkspaceOut, createApiKeyBody, createWorkspaceBody, keyParams, updateWorkspaceBody, workspaceParams } from '../schemas';
import type { Services } from '../services';
import { iso, parse } from '../validate';
import type { ApiKey } from '../../store/api-keys';
import type { Workspace } from '../../store/workspaces';

const workspaceJson = (w: Workspace) => ({ ...w, createdAt: iso(w.createdAt), updatedAt: iso(w.updatedAt) });
const apiKeyJson = ({ workspace: _ws, ...k }: ApiKey) => ({ ...k, createdAt: iso(k.createdAt), lastUsedAt: iso(k.lastUsedAt), revokedAt: iso(k.revokedAt) });

registry.registerPath({
  method: 'post',
  path: '/v1/workspaces',
  summary: 'Create a workspace (server admin token); returns an owner key once',
  security,
  request: { body: { required: true, content: { 'application/json': { schema: createWorkspaceBody } } } },
  responses: { 201: json(z.object({ workspace: WorkspaceOut, ownerKey: CreatedApiKeyOut }), 'Created'), ...errorResponses(403, 409) },
});
registry.registerPath({
  method: 'get',
  path: '/v1/workspaces/{ws}',
  summary: 'Read the workspace (any role)',
  security,
  request: { params: workspaceParams },
  responses: { 200: json(WorkspaceOut, 'The workspace'), ...errorResponses() },
});
registry.registerPath({
  method: 'patch',
  path: '/v1/workspaces/{ws}',
  summary: 'Change name or hold-down (owner, admin)',
  security,
  request: { params: workspaceParams, body: { content: { 'application/json': { schema: updateWorkspaceBody } } } },
  responses: { 200: json(WorkspaceOut, 'The workspace'), ...errorResponses(403) },
});
registry.registerPath({
  method: 'post',
  path: '/v1/workspaces/{ws}/api-keys',
  summary: 'Create an API key (owner); the key is shown once',
  security,
  request: { params: workspaceParams, body: { required: true, content: { 'application/json': { schema: createApiKeyBody } } } },
  responses: { 201: json(CreatedApiKeyOut, 'Created'), ...errorResponses(403, 422) },
});
registry.registerPath({
  method: 'get',
  path: '/v1/workspaces/{ws}/api-keys',
  summary: 'List API keys (owner); never the keys themselves',
  security,
  request: { params: workspaceParams },
  responses: { 200: json(z.array(ApiKeyOut), 'Keys'), ...errorResponses(403) },
});
registry.registerPath({
  method: 'delete',
  path: '/v1/workspaces/{ws}/api-keys/{keyId}',
  summary: 'Revoke an API key (owner)',
  security,
  request: { params: keyParams },
  responses: { 204: { description: 'Revoked' }, ...errorResponses(403) },
});

export function workspacesRouter(services: Services): Router {
  const router = Router();

  router.post('/v1/workspaces', adminOnly, async (req, res) => {
    const body = parse(createWorkspaceBody, req.body, 'body');
    const { workspace, owner } = await services.createWorkspace(body);
    res.status(201).json({ workspace: workspaceJson(workspace), ownerKey: { ...apiKeyJson(owner.apiKey), key: owner.key } });
  });

  router.get('/v1/workspaces/:ws', allow('workspace.read'), async (req, res) => {
    const { ws } = parse(workspaceParams, req.params, 'params');
    res.json(workspaceJson(await services.getWorkspace(ws)));
  });

  router.patch('/v1/workspaces/:ws', allow('workspace.update'), async (req, res) => {
    const { ws } = parse(workspaceParams, req.params, 'params');
    const patch = parse(updateWorkspaceBody, req.body, 'body');
    res.json(workspaceJson(await services.updateWorkspace(ws, patch, actorOf(res))));
  });

  router.post('/v1/workspaces/:ws/api-keys', allow('apiKeys.manage'), async (req, res) => {
    const { ws } = parse(workspaceParams, req.params, 'params');
    const { name, role } = parse(createApiKeyBody, req.body, 'body');
    const created = await services.createApiKey(ws, name, role, actorOf(res));
    res.status(201).json({ ...apiKeyJson(created.apiKey), key: created.key });
  });

  router.get('/v1/workspaces/:ws/api-keys', allow('apiKeys.manage'), async (req, res) => {
    const { ws } = parse(workspaceParams, req.params, 'params');
    res.json((await services.listApiKeys(ws)).map(apiKeyJson));
  });

  router.delete('/v1/workspaces/:ws/api-keys/:keyId', allow('apiKeys.manage'), async (req, res) => {
    const { ws, keyId } = parse(keyParams, req.params, 'params');
    await services.revokeApiKey(ws, keyId, actorOf(res));
    res.status(204).end();
  });

  return router;
}
