/**
 * `integrationTest`: runs one provider Test for an operator, in the worker, which holds
 * the provider network access and the credentials. One attempt only: a Test repeated in
 * a loop with bad credentials would get Hetzner to lock the worker's IP out.
 */
import * as wf from '@temporalio/workflow';
import type { IntegrationRef } from './activity-names';

export interface TestResult {
  ok: boolean;
  summary: string;
  warnings: string[];
}

const { testIntegration } = wf.proxyActivities<{ testIntegration(ref: IntegrationRef): Promise<TestResult> }>({
  startToCloseTimeout: '60 seconds',
  retry: { maximumAttempts: 1 },
});

export async function integrationTest(ref: IntegrationRef): Promise<TestResult> {
  return testIntegration(ref);
}

export function integrationTestWorkflowId(ref: IntegrationRef, nonce: string): string {
  return `test-${ref.workspaceId}-${ref.integrationId}-${nonce}`;
}
