/**
 * The incident history (any role): the workspace's incident record, newest first, with a cursor.
 * Read from the record the API writes when it accepts a report, not from the workflow: it answers
 * with Temporal away too, and holds resolved incidents (for a week).
 */
import type { Router } from 'express';
import { allow } from '../auth';
import { errorResponses, json, registry, security } from '../openapi';
import { IncidentHistoryOut, incidentsQuery, workspaceParams } from '../schemas';
import type { Services } from '../services';
import type { IncidentRecord } from '../../store/incidents';
import { iso, parse } from '../validate';

registry.registerPath({
  method: 'get',
  path: '/v1/workspaces/{ws}/incidents',
  summary: 'Incident history, newest first (any role): incidents received since `since`, active and resolved; pass `next` as `before` for the next page',
  security,
  request: { params: workspaceParams, query: incidentsQuery },
  responses: { 200: json(IncidentHistoryOut, 'Incidents'), ...errorResponses() },
});

/** The record as the API shows it: the reported fields it has, and the API's own times. */
function incidentOut({ incident, startedAt, resolvedAt }: IncidentRecord) {
  const { incidentId, startedAt: reportedStartedAt, target, severity, source, peakBps, peakPps } = incident;
  return {
    id: incidentId,
    ...(target === undefined ? {} : { target }),
    ...(severity === undefined ? {} : { severity }),
    ...(source === undefined ? {} : { source }),
    ...(peakBps === undefined ? {} : { peakBps }),
    ...(peakPps === undefined ? {} : { peakPps }),
    ...(reportedStartedAt === undefined ? {} : { reportedStartedAt }),
    startedAt: iso(startedAt)!,
    resolvedAt: iso(resolvedAt),
  };
}

/**
 * Adds the route to the router that has the incident reports' POST on the same path: Express
 * answers OPTIONS (and its `Allow` header) from the first router whose routes match the path, so
 * both methods must sit in one router.
 */
export function addIncidentHistory(router: Router, services: Services): Router {
  router.get('/v1/workspaces/:ws/incidents', allow('scrubbing.read'), async (req, res) => {
    const { ws } = parse(workspaceParams, req.params, 'params');
    const { since, ...query } = parse(incidentsQuery, req.query, 'query');
    const page = await services.listIncidents(ws, { ...query, ...(since ? { since: new Date(since) } : {}) });
    res.json({ since: iso(page.since), incidents: page.incidents.map(incidentOut), next: page.next });
  });
  return router;
}
