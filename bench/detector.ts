/**
 * What a detector does, against our API or the baseline endpoint alike: POST an incident
 * start or resolve and get the 202. Every report carries a request id so the serving
 * side's arrival stamp can be matched to it.
 */
import { randomUUID } from 'node:crypto';
import { now } from './clock';
import { REQUEST_ID_HEADER, type StampedServer } from './stamped-server';

export interface Report {
  status: number;
  /** Taken here, just before sending. */
  sentAt: number;
  /** The server's stamp when the request arrived. */
  arrivedAt: number;
  /** When the answer (202) was back here. */
  answeredAt: number;
  /** Our API's answer says the report was kept and not yet delivered (Temporal slow or away). */
  queued?: boolean;
  /** The error code of a refusal (`database_unavailable`, …), when the answer was not a 202. */
  errorCode?: string;
}

/** A workspace that can be attacked, with the BGP prefix the simulator sees change when it is diverted. */
export interface AttackTarget {
  workspaceId: string;
  bgpPrefixId: string;
  report(kind: 'start' | 'resolve', incidentId: string): Promise<Report>;
}

export async function post(server: StampedServer, path: string, options: { token?: string; body?: unknown } = {}): Promise<Report & { body: unknown }> {
  const requestId = randomUUID();
  const sentAt = now();
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: {
      [REQUEST_ID_HEADER]: requestId,
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  const answeredAt = now();
  return {
    status: response.status,
    sentAt,
    arrivedAt: server.takeArrival(requestId) ?? sentAt,
    answeredAt,
    body: text.startsWith('{') ? JSON.parse(text) : text,
    queued: text.includes('"delivery":"queued"'),
    ...(response.status === 202 ? {} : { errorCode: /"code":"([a-z_]+)"/.exec(text)?.[1] ?? 'unknown' }),
  };
}

/** A workspace of our API, reported to with its owner key (any detector-capable key does the same). */
export function apiTarget(api: StampedServer, workspace: { id: string; ownerKey: string; prefix: { bgpPrefixId: string } }): AttackTarget {
  return {
    workspaceId: workspace.id,
    bgpPrefixId: workspace.prefix.bgpPrefixId,
    report: (kind, incidentId) =>
      kind === 'start'
        ? post(api, `/v1/workspaces/${workspace.id}/incidents`, { token: workspace.ownerKey, body: { id: incidentId, target: '192.0.2.10' } })
        : post(api, `/v1/workspaces/${workspace.id}/incidents/${incidentId}/resolve`, { token: workspace.ownerKey }),
  };
}

/** A workspace of the baseline endpoint, reported to with the same bodies. */
export function baselineTarget(baselineApi: StampedServer, workspace: { id: string; prefix: { bgpPrefixId: string } }): AttackTarget {
  return {
    workspaceId: workspace.id,
    bgpPrefixId: workspace.prefix.bgpPrefixId,
    report: (kind, incidentId) =>
      kind === 'start'
        ? post(baselineApi, `/baseline/${workspace.id}/incidents`, { body: { id: incidentId, target: '192.0.2.10' } })
        : post(baselineApi, `/baseline/${workspace.id}/incidents/${incidentId}/resolve`),
  };
}
