/**
 * The worker's Prometheus metrics (prom-client), served at /metrics on WORKER_METRICS_PORT.
 * Temporal's own SDK metrics (task slots, latencies, polls) are exported by the Temporal
 * runtime on TEMPORAL_METRICS_PORT. Per-workspace series are bounded: the first
 * METRICS_MAX_WORKSPACES workspaces seen get their own gauges, the rest are not broken out.
 */
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { WorkerMetrics } from '../activities/metrics';

export function createWorkerMetrics(options: { maxWorkspaces?: number } = {}): WorkerMetrics & { registry: Registry } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'scrubbing_worker_' });
  const maxWorkspaces = options.maxWorkspaces ?? 50;
  const labelled = new Set<string>();
  const workspaceLabel = (workspace: string) => {
    if (labelled.has(workspace)) return workspace;
    if (labelled.size < maxWorkspaces) {
      labelled.add(workspace);
      return workspace;
    }
    return '_other';
  };

  const providerCalls = new Counter({
    name: 'scrubbing_provider_calls_total',
    help: 'Provider operation attempts by provider, operation and outcome (ok, retryable_error, failed)',
    labelNames: ['provider', 'operation', 'outcome'],
    registers: [registry],
  });
  const providerDuration = new Histogram({
    name: 'scrubbing_provider_call_duration_seconds',
    help: 'Duration of one provider operation attempt',
    labelNames: ['provider', 'operation'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const divertLatency = new Histogram({
    name: 'scrubbing_divert_latency_seconds',
    help: 'From the incident reaching the workspace workflow to the provider confirming the diversion',
    labelNames: ['provider'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  const activeIncidents = new Gauge({
    name: 'scrubbing_active_incidents',
    help: 'Active incidents per workspace, as of the last provider operation this worker ran for it',
    labelNames: ['workspace'],
    registers: [registry],
  });
  const activeDiversions = new Gauge({
    name: 'scrubbing_active_diversions',
    help: 'Integrations diverted per workspace, by the operations this worker ran',
    labelNames: ['workspace'],
    registers: [registry],
  });
  const deliveries = new Counter({
    name: 'scrubbing_notification_deliveries_total',
    help: 'Notification deliveries by channel type and outcome (delivered, failed, refused)',
    labelNames: ['channel_type', 'outcome'],
    registers: [registry],
  });
  const diverted = new Map<string, Set<string>>();

  return {
    registry,
    providerCall({ provider, operation, outcome, seconds }) {
      providerCalls.inc({ provider, operation, outcome });
      providerDuration.observe({ provider, operation }, seconds);
    },
    operationSucceeded({ workspaceId, integrationId, provider, operation, diverted: isDiverted, activeIncidents: incidents, divertLatencySeconds }) {
      const set = diverted.get(workspaceId) ?? new Set<string>();
      if (isDiverted) set.add(integrationId);
      else set.delete(integrationId);
      diverted.set(workspaceId, set);
      const label = workspaceLabel(workspaceId);
      // Workspaces past the label budget are not broken out (their counters still count).
      if (label !== '_other') {
        activeDiversions.set({ workspace: label }, set.size);
        if (incidents !== undefined) activeIncidents.set({ workspace: label }, incidents);
      }
      if (operation === 'activate' && divertLatencySeconds !== undefined) divertLatency.observe({ provider }, divertLatencySeconds);
    },
    notificationDelivery({ channelType, outcome }) {
      deliveries.inc({ channel_type: channelType, outcome });
    },
  };
}

export function serveMetrics(registry: Registry, port: number, host: string): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`metrics server on ${host}:${port}: ${err.message}`)));
    server.listen(port, host, () => resolve(server));
  });
}
