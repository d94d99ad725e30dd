/** The audit trail, newest first, with a cursor and optional filters (any role). */
import { Router } from 'express';
import { allow } from '../auth';
import { errorResponses, json, registry, security } from '../openapi';
import { EventsOut, eventsQuery, workspaceParams } from '../schemas';
import type { Services } from '../services';
import { iso, parse } from '../validate';

registry.registerPath({
  method: 'get',
  path: '/v1/workspaces/{ws}/events',
  summary: 'Audit trail, newest first, optionally filtered (action, exact or `prefix*`; integration; actor; outcome); pass `next` as `before`, with the same filters, for the next page',
  security,
  request: { params: workspaceParams, query: eventsQuery },
  responses: { 200: json(EventsOut, 'Events'), ...errorResponses() },
});

export function eventsRouter(services: Services): Router {
  const router = Router();
  router.get('/v1/workspaces/:ws/events', allow('events.read'), async (req, res) => {
    const { ws } = parse(workspaceParams, req.params, 'params');
    const query = parse(eventsQuery, req.query, 'query');
    const page = await services.listEvents(ws, query);
    res.json({ events: page.events.map(({ workspace: _ws, ...e }) => ({ ...e, at: iso(e.at) })), next: page.next });
  });
  return router;
}
