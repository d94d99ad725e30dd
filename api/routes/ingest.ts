/**
 * Where detectors post their own webhooks: `/v1/ingest/<source>` (a vendor that signs or sends a
 * secret in a header) or `/v1/ingest/<source>/<secret>` (one that signs nothing). A delivery is
 * checked the way its vendor proves it (api/detectors), in constant time, with the source's
 * address allow-list and a replay check where the payload says when it was sent; then its event
 * goes through the incident intake, like POST /incidents: kept before the answer, never lost.
 * Refusals are logged and counted per source, never echoing the payload.
 */
import express, { Router, type Request, type Response } from 'express';
import { createHash } from 'node:crypto';
import { Counter, type Registry } from 'prom-client';
import { z } from 'zod';
import { tokenBuckets } from '../auth';
import { DETECTOR_VENDORS, type DetectorEvent } from '../detectors';
import { HttpError } from '../http-errors';
import type { IncidentIntake } from '../intake';
import { errorResponses, json, registry } from '../openapi';
import { DetectorDeliveryOut, ingestParams, ingestTokenParams } from '../schemas';
import type { ScrubbingService } from '../scrubbing-service';
import { parse } from '../validate';
import type { DeliveryOutcome, DetectorSourceRepository } from '../../store/detector-sources';
import type { Logger } from '../../telemetry/logger';
import { addressInAnyCidr } from '../../workflows/cidr';

/** A payload whose own send time is further than this from ours is a replay (or a clock to fix). */
export const REPLAY_WINDOW_MS = 5 * 60_000;
/** Deliveries remembered for the duplicate check (the replay window's worth at most). */
const MAX_REMEMBERED_DELIVERIES = 10_000;
/** Refused deliveries (bad proof, address) a source address may make per minute before 429. */
const REFUSALS_PER_MINUTE = 60;

const payloadDoc = z
  .record(z.string(), z.unknown())
  .openapi({ description: "The detector's own JSON: FastNetMon Advanced callback, Flowtriq webhook, Kentik alarm, Cloudflare notification, or the generic format" });
const ingestResponses = { 202: json(DetectorDeliveryOut, 'Accepted: an incident event kept for the workflow, or acknowledged (ignored, duplicate)'), ...errorResponses(403) };
registry.registerPath({
  method: 'post',
  path: '/v1/ingest/{sourceId}',
  summary: 'A detector delivery proved by a signature or header secret (flowtriq: X-Flowtriq-Signature; cloudflare: cf-webhook-auth)',
  request: { params: ingestParams, body: { required: true, content: { 'application/json': { schema: payloadDoc } } } },
  responses: ingestResponses,
});
registry.registerPath({
  method: 'post',
  path: '/v1/ingest/{sourceId}/{token}',
  summary: 'A detector delivery proved by the secret in its URL (fastnetmon, kentik, generic)',
  request: { params: ingestTokenParams, body: { required: true, content: { 'application/json': { schema: payloadDoc } } } },
  responses: ingestResponses,
});

export interface IngestDependencies {
  sources: DetectorSourceRepository;
  intake: IncidentIntake;
  scrubbing: Pick<ScrubbingService, 'configVersionOf'>;
  logger: Logger;
  registry?: Registry;
  now?: () => number;
}

export function ingestRouter(deps: IngestDependencies): Router {
  const router = Router();
  const now = deps.now ?? Date.now;
  const refusals = tokenBuckets(REFUSALS_PER_MINUTE, 10_000);
  /** Bodies accepted lately, per source: the same delivery again is acknowledged, not sent twice. */
  const seen = new Map<string, number>();
  const deliveries = deps.registry
    ? new Counter({ name: 'scrubbing_detector_deliveries_total', help: 'Detector webhook deliveries, by detector type and outcome', labelNames: ['type', 'outcome'], registers: [deps.registry] })
    : undefined;

  /**
   * Counting on the source happens after the answer, one write at a time per source: FerretDB
   * applies an update as read-then-write, so two concurrent $inc of one document can lose one.
   */
  const counting = new Map<string, Promise<void>>();
  const count = (id: string, type: string, outcome: DeliveryOutcome) => {
    deliveries?.inc({ type, outcome });
    const next = (counting.get(id) ?? Promise.resolve()).then(() => deps.sources.countDelivery(id, outcome)).catch(() => undefined);
    counting.set(id, next);
    void next.then(() => counting.get(id) === next && counting.delete(id));
  };

  function refuse(req: Request, res: Response, source: { id: string; type: string; workspace: string }, outcome: DeliveryOutcome, status: number, code: string, message: string): never {
    const address = req.ip ?? 'unknown';
    count(source.id, source.type, outcome);
    deps.logger.warn({ source: source.id, type: source.type, workspace: source.workspace, address, outcome }, `detector delivery refused: ${code}`);
    const wait = refusals.spend(address, now());
    if (wait > 0) {
      res.set('Retry-After', String(wait));
      throw new HttpError(429, 'rate_limited', `too many refused deliveries from this address; retry in ${wait} s`);
    }
    throw new HttpError(status, code, message);
  }

  async function ingest(req: Request, res: Response, sourceId: string, urlToken?: string): Promise<void> {
    const address = req.ip ?? 'unknown';
    if (refusals.waitFor(address, now()) > 0) throw new HttpError(429, 'rate_limited', 'too many refused deliveries from this address; retry later');
    const source = await deps.sources.loadForIngest(sourceId);
    if (!source) throw new HttpError(404, 'not_found', 'no such detector source');
    const vendor = DETECTOR_VENDORS[source.type];
    const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const allowed = source.options.allowedAddresses as string[] | undefined;
    if (allowed && !addressInAnyCidr(address.replace(/^::ffff:/, ''), allowed)) {
      refuse(req, res, source, 'address_refused', 403, 'address_refused', 'this address may not deliver to this source');
    }
    if (!vendor.verify({ headers: req.headers, rawBody, ...(urlToken === undefined ? {} : { urlToken }) }, source.secret)) {
      refuse(req, res, source, 'bad_proof', 401, 'bad_signature', `the delivery does not carry this source's ${vendor.proof === 'hmac-sha256' ? 'signature' : 'secret'}`);
    }
    let payload: unknown;
    try {
      payload = JSON.parse(rawBody.toString('utf8'));
    } catch {
      count(source.id, source.type, 'invalid');
      throw new HttpError(400, 'invalid_json', 'body: not JSON', [{ field: 'body', message: 'not JSON' }]);
    }
    const sentAt = vendor.sentAt?.(payload);
    if (sentAt !== undefined && Math.abs(now() - sentAt) > REPLAY_WINDOW_MS) {
      refuse(
        req,
        res,
        source,
        'replayed',
        401,
        'replayed',
        `the payload was sent at ${new Date(sentAt).toISOString()}, more than ${REPLAY_WINDOW_MS / 60_000} minutes from now: a replay, or the detector's clock is off`,
      );
    }
    const fingerprint = `${source.id}:${createHash('sha256').update(rawBody).digest('base64url')}`;
    if ((seen.get(fingerprint) ?? -Infinity) > now() - REPLAY_WINDOW_MS) {
      res.status(202).json({ outcome: 'duplicate', reason: 'the same delivery was accepted moments ago' });
      return;
    }
    const reading = vendor.read(payload, source.options);
    if (reading.kind === 'ignored') {
      count(source.id, source.type, 'ignored');
      res.status(202).json({ outcome: 'ignored', reason: reading.reason });
      return;
    }
    const { event } = reading;
    const incidentId = incidentIdOf(source.type, event.externalId);
    const version = await deps.scrubbing.configVersionOf(source.workspace);
    const answer = await deps.intake.accept(source.workspace, reportOf(incidentId, event, source.type), version);
    remember(fingerprint);
    count(source.id, source.type, 'event');
    res.status(202).json({ outcome: 'accepted', incidentId, phase: event.phase, delivery: answer.delivery });
  }

  function remember(fingerprint: string): void {
    seen.delete(fingerprint);
    seen.set(fingerprint, now());
    if (seen.size > MAX_REMEMBERED_DELIVERIES) seen.delete(seen.keys().next().value as string);
  }

  // The raw bytes: a signature covers exactly what was sent. Any content type (some detectors send none).
  const rawJson = express.raw({ type: () => true, limit: '256kb' });
  router.post('/v1/ingest/:sourceId', rawJson, async (req, res) => {
    const { sourceId } = parse(ingestParams, req.params, 'params');
    await ingest(req, res, sourceId);
  });
  router.post('/v1/ingest/:sourceId/:token', rawJson, async (req, res) => {
    const { sourceId, token } = parse(ingestTokenParams, req.params, 'params');
    await ingest(req, res, sourceId, token);
  });
  return router;
}

/**
 * The incident a detector's attack becomes: `<type>:<attack id>`, so a start and its end always
 * meet; an attack id that is not a plain token is replaced by its hash.
 */
export function incidentIdOf(type: string, externalId: string): string {
  const id = /^[\w.:@-]{1,150}$/.test(externalId) ? externalId : createHash('sha256').update(externalId).digest('hex').slice(0, 32);
  return `${type}:${id}`;
}

function reportOf(incidentId: string, event: DetectorEvent, type: string) {
  if (event.phase === 'end') return { kind: 'resolved' as const, payload: { incidentId } };
  const { phase: _phase, externalId: _id, ...details } = event;
  // An update of a known attack changes nothing (starts are idempotent); one seen first starts it.
  return { kind: 'started' as const, payload: { incidentId, ...details, source: type } };
}
