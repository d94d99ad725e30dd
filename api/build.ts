/** Wires the API from its dependencies: repositories, the Temporal-facing service and the app. Shared by main and tests. */
import type { Client, Connection } from '@temporalio/client';
import { apiKeyRepository } from '../store/api-keys';
import { auditRepository } from '../store/audit';
import type { CredentialCipher } from '../store/crypto';
import type { Database } from '../store/db';
import { channelRepository } from '../store/channels';
import { detectorSourceRepository } from '../store/detector-sources';
import { integrationRepository } from '../store/integrations';
import { manualHoldRepository } from '../store/manual-holds';
import { workspaceRepository } from '../store/workspaces';
import { createApp } from './app';
import { defaultConsoleDir } from './routes/console';
import type { OutboundPolicy } from '../activities/outbound/destination';
import type { WorkspaceLimits } from './limits';
import { cachedKeyLookup } from './key-cache';
import { PRUNE_CHANGES_EVERY_MS, changeLog } from '../store/changes';
import { cachedConfigVersions } from './version-cache';
import { createScrubbingService } from './scrubbing-service';
import { HttpError } from './http-errors';
import { createIncidentIntake, type IntakeSettings } from './intake';
import { incidentReportRepository } from '../store/incident-reports';
import { PRUNE_EVERY_MS, incidentRepository } from '../store/incidents';
import { createServices } from './services';
import { createApiTelemetry } from './telemetry';
import { createLogger, type Logger } from '../telemetry/logger';

export interface ApiWiring {
  client: Client;
  connection: Connection;
  database: Database;
  cipher: CredentialCipher;
  taskQueue: string;
  adminToken: string;
  manualActionTimeoutMs: number;
  requestsPerMinute: number;
  /** Failed authentications per source address and minute; default 60. */
  authFailuresPerMinute?: number;
  /** Temporal calls other than manual actions give up after this long (503); default 10 s. */
  callTimeoutMs?: number;
  /** Where channel URLs may point; default public https only (OUTBOUND_ALLOW and OUTBOUND_ALLOW_HTTP in main). */
  outbound?: OutboundPolicy;
  /** Per-workspace caps; each absent one has its default (api/limits.ts). */
  limits?: Partial<WorkspaceLimits>;
  /** How long a valid API key is remembered (api/key-cache.ts). Default 300 s; 0 = never. */
  keyCacheMs?: number;
  /** How often the API reads what other processes changed: keys revoked (api/key-cache.ts), configuration versions (api/version-cache.ts); default 2 s; 0 = no feed. */
  changePollMs?: number;
  /** Incident intake knobs (api/intake.ts); each absent one has its default. */
  intake?: Partial<IntakeSettings>;
  /** Where request log lines go; default a silent logger (tests). */
  logger?: Logger;
  /** The API's address as detectors reach it (API_PUBLIC_URL); absent: the request's host. */
  publicUrl?: string;
  /** The Temporal UI as operators reach it (TEMPORAL_UI_URL), for the console's links; absent: none. */
  temporalUiUrl?: string;
  /** The built console; default console/dist of this checkout or image. */
  consoleDir?: string;
}

export function buildApi(wiring: ApiWiring) {
  const { models } = wiring.database;
  const workspaces = workspaceRepository(models);
  const apiKeys = apiKeyRepository(models);
  const keyLookup = cachedKeyLookup(apiKeys, {
    ...(wiring.keyCacheMs === undefined ? {} : { ttlMs: wiring.keyCacheMs }),
    ...(wiring.changePollMs === undefined ? {} : { revocationPollMs: wiring.changePollMs }),
  });
  const versions = cachedConfigVersions(workspaces, wiring.changePollMs === undefined ? {} : { pollMs: wiring.changePollMs });
  const logger = wiring.logger ?? createLogger('api', { LOG_LEVEL: 'silent' });
  const describe = (err: unknown) => (err instanceof Error ? err.message : String(err));
  const manualHolds = manualHoldRepository(models);
  const scrubbing = createScrubbingService({
    client: wiring.client,
    taskQueue: wiring.taskQueue,
    manualActionTimeoutMs: wiring.manualActionTimeoutMs,
    ...(wiring.callTimeoutMs === undefined ? {} : { callTimeoutMs: wiring.callTimeoutMs }),
    directory: { configOf: (ws) => workspaces.configSnapshot(ws), versionOf: (ws) => versions.versionOf(ws) },
    keepManualAction: (workspaceId, integrationId, action) =>
      manualHolds
        .record(workspaceId, integrationId, action)
        .catch((err: unknown) =>
          logger.warn({ workspaceId, integrationId, action, error: describe(err) }, 'a manual action could not be recorded: a run that starts without a predecessor will not know it'),
        ),
    onLateError: (err, action) => logger.warn({ ...action, error: describe(err) }, 'a manual action answered 202 then failed to reach the workflow'),
  });
  const telemetry = createApiTelemetry(logger);
  const incidents = incidentRepository(models);
  const audit = auditRepository(models);
  // Records of the first version (their keys had a NUL that FerretDB on PostgreSQL refuses) move to the
  // current keys; then, and every 10 minutes, records resolved more than a week ago go (one delete).
  const sweep = () =>
    incidents.pruneResolved().then(
      (removed) => removed > 0 && logger.info({ removed }, 'incident records resolved more than a week ago removed'),
      (err: unknown) => logger.warn({ error: describe(err) }, 'old incident records could not be removed; tried again later'),
    );
  // Change-log entries older than two minutes, every minute (store/changes.ts).
  const changes = changeLog(models);
  const pruneChanges = () => void changes.prune().catch((err: unknown) => logger.warn({ error: describe(err) }, 'old change-log entries could not be removed; tried again later'));
  const pruningChanges = setInterval(pruneChanges, PRUNE_CHANGES_EVERY_MS);
  pruningChanges.unref();
  void incidents
    .migrateLegacyKeys()
    .then(
      (moved) => moved > 0 && logger.info({ moved }, 'incident records moved to the current keys'),
      (err: unknown) => logger.warn({ error: describe(err) }, 'incident records of the first version could not be moved; tried again at the next start'),
    )
    .then(sweep);
  const sweeping = setInterval(() => void sweep(), PRUNE_EVERY_MS);
  sweeping.unref();
  const intake = createIncidentIntake({
    reports: incidentReportRepository(models),
    record: (ws, report) => (report.kind === 'started' ? incidents.started(ws, report.payload) : incidents.resolved(ws, report.payload.incidentId)),
    deliver: (ws, report, version) => scrubbing.deliverReport(ws, report, version),
    activeIncidents: (ws) => incidents.activeCount(ws),
    activeIncidentCensus: () => incidents.activeCounts(),
    onIncidentLimit: (ws, message) => audit.record({ workspace: ws, actor: 'intake', action: 'incident.refused', outcome: 'failed', detail: message }),
    // The workspace is gone: nothing will ever take its reports.
    isPermanent: (err) => err instanceof HttpError && err.status === 404,
    logger,
    registry: telemetry.registry,
    ...(wiring.intake ? { settings: wiring.intake } : {}),
  });
  const detectorSources = detectorSourceRepository(models, wiring.cipher);
  const services = createServices({
    workspaces,
    apiKeys,
    integrations: integrationRepository(models, wiring.cipher),
    channels: channelRepository(models, wiring.cipher),
    detectorSources,
    audit,
    incidents,
    manualHolds,
    scrubbing,
    ...(wiring.limits ? { limits: wiring.limits } : {}),
    ...(wiring.outbound ? { outbound: wiring.outbound } : {}),
    forgetKey: (id) => keyLookup.forget(id),
  });
  const app = createApp({
    services,
    scrubbing,
    intake,
    apiKeys: { ...apiKeys, authenticate: keyLookup.authenticate },
    connection: wiring.connection,
    database: wiring.database,
    adminToken: wiring.adminToken,
    requestsPerMinute: wiring.requestsPerMinute,
    ...(wiring.authFailuresPerMinute === undefined ? {} : { authFailuresPerMinute: wiring.authFailuresPerMinute }),
    telemetry,
    detectorSources,
    logger,
    ...(wiring.publicUrl ? { publicUrl: wiring.publicUrl } : {}),
    temporalUi: { namespace: wiring.client.options.namespace, ...(wiring.temporalUiUrl ? { url: wiring.temporalUiUrl } : {}) },
    consoleDir: wiring.consoleDir ?? defaultConsoleDir(),
  });
  /**
   * Stops incident delivery (what is left stays stored for the next process) and resolves once
   * manual actions still being delivered after their 202 have ended: await it before closing the connections.
   */
  const settle = () => {
    clearInterval(sweeping);
    clearInterval(pruningChanges);
    keyLookup.stop();
    versions.stop();
    return Promise.all([intake.stop(), scrubbing.settle()]).then(() => undefined);
  };
  return Object.assign(app, { settle });
}
