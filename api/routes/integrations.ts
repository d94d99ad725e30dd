/** Integrations: create (per-type validation), read (credentials masked), change, delete, Test. Writes need owner or admin. */
import { Router } from 'express';
import { z } from 'zod';
import { actorOf, allow } from '../auth';
import { errorResponses, json, registry, security } from '../openapi';
import { IntegrationOut, TestResultOut, createIntegrationBody, integrationTypeSchemas, resourceParams, updateIntegrationBody, workspaceParams } from '../schemas';
import type { Services } from '../services';
import { iso, masked, parse, parseTypedParts } from '../validate';
import type { Integration } from '../../store/integrations';
import { calmGateInEffect, providerTiming } from '../../catalog';

const integrationJson = ({ workspace: _ws, credentialFields, ...i }: Integration) => ({
  ...i,
  timing: providerTiming(i.type, {
    ...(i.minActiveSeconds === null ? {} : { minActiveSeconds: i.minActiveSeconds }),
    ...(i.reactivateAfterSeconds === null ? {} : { reactivateAfterSeconds: i.reactivateAfterSeconds }),
  }),
  calmGateInEffect: calmGateInEffect(i.type, i),
  credentials: masked(credentialFields),
  createdAt: iso(i.createdAt),
  updatedAt: iso(i.updatedAt),
});
const base = '/v1/workspaces/{ws}/integrations';

registry.registerPath({
  method: 'post',
  path: base,
  summary: 'Create an integration (owner, admin)',
  security,
  request: { params: workspaceParams, body: { required: true, content: { 'application/json': { schema: createIntegrationBody } } } },
  responses: { 201: json(IntegrationOut, 'Created'), ...errorResponses(403, 422) },
});
registry.registerPath({
  method: 'get',
  path: base,
  summary: 'List integrations (any role); credentials masked',
  security,
  request: { params: workspaceParams },
  responses: { 200: json(z.array(IntegrationOut), 'Integrations'), ...errorResponses() },
});
registry.registerPath({
  method: 'get',
  path: `${base}/{id}`,
  summary: 'Read an integration (any role); credentials masked',
  security,
  request: { params: resourceParams },
  responses: { 200: json(IntegrationOut, 'The integration'), ...errorResponses() },
});
registry.registerPath({
  method: 'patch',
  path: `${base}/{id}`,
  summary: 'Change an integration (owner, admin); credentials, when given, replace all',
  security,
  request: { params: resourceParams, body: { content: { 'application/json': { schema: updateIntegrationBody } } } },
  responses: { 200: json(IntegrationOut, 'The integration'), ...errorResponses(403, 422) },
});
registry.registerPath({
  method: 'delete',
  path: `${base}/{id}`,
  summary: 'Delete an integration (owner, admin); a diverted one is withdrawn first',
  security,
  request: { params: resourceParams },
  responses: {
    202: json(z.object({ status: z.literal('withdrawing') }), 'Removed from the configuration; the workflow withdraws it if needed, then deletes it'),
    204: { description: 'Deleted' },
    ...errorResponses(403),
  },
});
registry.registerPath({
  method: 'post',
  path: `${base}/{id}/test`,
  summary: 'Test credentials and provider configuration (owner, admin)',
  security,
  request: { params: resourceParams },
  responses: { 200: json(TestResultOut, "Test result: ok false with the provider's reason when it refused or did not answer"), ...errorResponses(403) },
});

export function integrationsRouter(services: Services): Router {
  const router = Router();
  const path = '/v1/workspaces/:ws/integrations';

  router.post(path, allow('integrations.write'), async (req, res) => {
    const { ws } = parse(workspaceParams, req.params, 'params');
    const body = parse(createIntegrationBody, req.body, 'body');
    res.status(201).json(integrationJson(await services.createIntegration(ws, body, actorOf(res))));
  });

  router.get(path, allow('integrations.read'), async (req, res) => {
    const { ws } = parse(workspaceParams, req.params, 'params');
    res.json((await services.listIntegrations(ws)).map(integrationJson));
  });

  router.get(`${path}/:id`, allow('integrations.read'), async (req, res) => {
    const { ws, id } = parse(resourceParams, req.params, 'params');
    res.json(integrationJson(await services.getIntegration(ws, id)));
  });

  router.patch(`${path}/:id`, allow('integrations.write'), async (req, res) => {
    const { ws, id } = parse(resourceParams, req.params, 'params');
    const patch = parse(updateIntegrationBody, req.body, 'body');
    // Settings and credentials are validated against the integration's own type.
    const { type } = await services.getIntegration(ws, id);
    const checked = parseTypedParts(integrationTypeSchemas[type], patch, ['settings', 'credentials']);
    res.json(integrationJson(await services.updateIntegration(ws, id, checked, actorOf(res))));
  });

  router.delete(`${path}/:id`, allow('integrations.write'), async (req, res) => {
    const { ws, id } = parse(resourceParams, req.params, 'params');
    const { pending } = await services.deleteIntegration(ws, id, actorOf(res));
    if (pending) res.status(202).json({ status: 'withdrawing' });
    else res.status(204).end();
  });

  router.post(`${path}/:id/test`, allow('integrations.write'), async (req, res) => {
    const { ws, id } = parse(resourceParams, req.params, 'params');
    res.json(await services.testIntegration(ws, id, actorOf(res)));
  });

  return router;
}
