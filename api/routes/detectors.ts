/** Detector sources: a detector that posts its own webhooks. Create (owner, admin) answers the URL and secret once; read (any role) never shows the secret. */
import { Router, type Request } from 'express';
import { z } from 'zod';
import { actorOf, allow } from '../auth';
import { errorResponses, json, registry, security } from '../openapi';
import { CreatedDetectorSourceOut, DetectorSourceOut, createDetectorSourceBody, resourceParams, workspaceParams } from '../schemas';
import type { Services } from '../services';
import { iso, parse } from '../validate';
import type { DetectorSource } from '../../store/detector-sources';
import { DETECTOR_VENDORS } from '../detectors';

const base = '/v1/workspaces/{ws}/detector-sources';
const ingestPath = (id: string) => `/v1/ingest/${id}`;

const sourceJson = ({ workspace: _ws, ...s }: DetectorSource) => ({
  ...s,
  ingestPath: ingestPath(s.id),
  lastEventAt: s.lastEventAt ? iso(s.lastEventAt) : null,
  createdAt: iso(s.createdAt),
  updatedAt: iso(s.updatedAt),
});

registry.registerPath({
  method: 'post',
  path: base,
  summary: 'Connect a detector that posts its own webhooks: fastnetmon, flowtriq, kentik, cloudflare or generic (owner, admin); the URL and secret are shown once',
  security,
  request: { params: workspaceParams, body: { required: true, content: { 'application/json': { schema: createDetectorSourceBody } } } },
  responses: { 201: json(CreatedDetectorSourceOut, 'Created'), ...errorResponses(403, 422) },
});
registry.registerPath({
  method: 'get',
  path: base,
  summary: 'List detector sources (any role); secrets are never shown',
  security,
  request: { params: workspaceParams },
  responses: { 200: json(z.array(DetectorSourceOut), 'Detector sources'), ...errorResponses(403) },
});
registry.registerPath({
  method: 'get',
  path: `${base}/{id}`,
  summary: 'Read a detector source and its delivery counts (any role)',
  security,
  request: { params: resourceParams },
  responses: { 200: json(DetectorSourceOut, 'The detector source'), ...errorResponses(403) },
});
registry.registerPath({
  method: 'delete',
  path: `${base}/{id}`,
  summary: 'Delete a detector source (owner, admin): its URL stops working at once',
  security,
  request: { params: resourceParams },
  responses: { 204: { description: 'Deleted' }, ...errorResponses(403) },
});

export function detectorsRouter(services: Services, publicUrl?: string): Router {
  const router = Router();
  const path = '/v1/workspaces/:ws/detector-sources';
  const origin = (req: Request) => publicUrl?.replace(/\/+$/, '') ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`;

  router.post(path, allow('detectors.manage'), async (req, res) => {
    const { ws } = parse(workspaceParams, req.params, 'params');
    const body = parse(createDetectorSourceBody, req.body, 'body');
    const { source, secret } = await services.createDetectorSource(ws, body, actorOf(res));
    const vendor = DETECTOR_VENDORS[source.type];
    const url = `${origin(req)}${ingestPath(source.id)}${vendor.proof === 'url-token' ? `/${secret}` : ''}`;
    res.status(201).json({ ...sourceJson(source), url, secret, setup: vendor.howToConfigure });
  });

  router.get(path, allow('detectors.read'), async (req, res) => {
    const { ws } = parse(workspaceParams, req.params, 'params');
    res.json((await services.listDetectorSources(ws)).map(sourceJson));
  });

  router.get(`${path}/:id`, allow('detectors.read'), async (req, res) => {
    const { ws, id } = parse(resourceParams, req.params, 'params');
    res.json(sourceJson(await services.getDetectorSource(ws, id)));
  });

  router.delete(`${path}/:id`, allow('detectors.manage'), async (req, res) => {
    const { ws, id } = parse(resourceParams, req.params, 'params');
    await services.deleteDetectorSource(ws, id, actorOf(res));
    res.status(204).end();
  });

  return router;
}
