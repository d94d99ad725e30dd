/**
 * The readable text of workflow histories, for secret scans: every string and every payload's
 * bytes (decoded as UTF-8). Shared by the tests (test/support) and the fuzz report.
 */
import type { Client } from '@temporalio/client';

export function readableText(value: unknown): string {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(readableText).join(' ');
  if (typeof value === 'object' && value !== null) return Object.values(value).map(readableText).join(' ');
  return String(value);
}

/** Every run of every workflow on the server, as readable text. */
export async function everyHistoryText(client: Client): Promise<string[]> {
  const texts: string[] = [];
  for await (const execution of client.workflow.list()) {
    texts.push(readableText(await client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory()));
  }
  return texts;
}
