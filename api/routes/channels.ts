/** Notification channels: create (per-type validation), read (secrets masked), change, delete. Owner or admin only. */
import { Router } from 'express';
import { z } from 'zod';
import { actorOf, allow } from '../auth';
import { errorResponses, json, registry, security } from '../openapi';
import { ChannelOut, channelTypeSchemas, createChannelBody, resourceParams, updateChannelBody, workspaceParams } from '../schemas';
import type { Services } from '../services';
import { iso, masked, parse, parseTypedParts } from '../validate';
import type { Channel } from '../../store/channels';

const channelJson = ({ workspace: _ws, secretFields, ...c }: Channel) => ({
  ...c,
  secrets: masked(secretFields),
  createdAt: iso(c.createdAt),
  updatedAt: iso(c.updatedAt),
});
const base = '/v1/workspaces/{ws}/notification-channels';

registry.registerPath({
  method: 'post',
  path: base,
  summary: 'Create a notification channel: webhook, slack or pagerduty (owner, admin)',
  security,
  request: { params: workspaceParams, body: { required: true, content: { 'application/json': { schema: createChannelBody } } } },
  responses: { 201: json(ChannelOut, 'Created'), ...errorResponses(403, 422) },
});
registry.registerPath({
  method: 'get',
  path: base,
  summary: 'List notification channels (owner, admin); secrets masked',
  security,
  request: { params: workspaceParams },
  responses: { 200: json(z.array(ChannelOut), 'Channels'), ...errorResponses(403) },
});
registry.registerPath({
  method: 'get',
  path: `${base}/{id}`,
  summary: 'Read a notification channel (owner, admin); secrets masked',
  security,
  request: { params: resourceParams },
  responses: { 200: json(ChannelOut, 'The channel'), ...errorResponses(403) },
});
registry.registerPath({
  method: 'patch',
  path: `${base}/{id}`,
  summary: 'Change a notification channel (owner, admin); secrets, when given, replace all',
  security,
  request: { params: resourceParams, body: { content: { 'application/json': { schema: updateChannelBody } } } },
  responses: { 200: json(ChannelOut, 'The channel'), ...errorResponses(403, 422) },
});
registry.registerPath({
  method: 'delete',
  path: `${base}/{id}`,
  summary: 'Delete a notification channel (owner, admin)',
  security,
  request: { params: resourceParams },
  responses: { 204: { description: 'Deleted' }, ...errorResponses(403) },
});

export function channelsRouter(services: Services): Router {
  const router = Router();
  const path = '/v1/workspaces/:ws/notification-channels';

  router.post(path, allow('channels.manage'), async (req, res) => {
    const { ws } = parse(workspaceParams, req.params, 'params');
    const body = parse(createChannelBody, req.body, 'body');
    const created = await services.createChannel(ws, { ...body, settings: body.settings ?? {} }, actorOf(res));
    res.status(201).json(channelJson(created));
  });

  router.get(path, allow('channels.manage'), async (req, res) => {
    const { ws } = parse(workspaceParams, req.params, 'params');
    res.json((await services.listChannels(ws)).map(channelJson));
  });

  router.get(`${path}/:id`, allow('channels.manage'), async (req, res) => {
    const { ws, id } = parse(resourceParams, req.params, 'params');
    res.json(channelJson(await services.getChannel(ws, id)));
  });

  router.patch(`${path}/:id`, allow('channels.manage'), async (req, res) => {
    const { ws, id } = parse(resourceParams, req.params, 'params');
    const patch = parse(updateChannelBody, req.body, 'body');
    // Settings and secrets are validated against the channel's own type.
    const { type } = await services.getChannel(ws, id);
    const checked = parseTypedParts(channelTypeSchemas[type], patch, ['settings', 'secrets']);
    res.json(channelJson(await services.updateChannel(ws, id, checked, actorOf(res))));
  });

  router.delete(`${path}/:id`, allow('channels.manage'), async (req, res) => {
    const { ws, id } = parse(resourceParams, req.params, 'params');
    await services.deleteChannel(ws, id, actorOf(res));
    res.status(204).end();
  });

  return router;
}
