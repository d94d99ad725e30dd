/** What activities report for metrics; the worker supplies an implementation (telemetry/worker-metrics.ts). */
export interface WorkerMetrics {
  providerCall(call: { provider: string; operation: string; outcome: 'ok' | 'retryable_error' | 'failed'; seconds: number }): void;
  operationSucceeded(result: {
    workspaceId: string;
    integrationId: string;
    provider: string;
    operation: 'activate' | 'withdraw';
    diverted: boolean;
    activeIncidents?: number;
    divertLatencySeconds?: number;
  }): void;
  notificationDelivery(delivery: { channelType: string; outcome: 'delivered' | 'failed' | 'refused' }): void;
}
