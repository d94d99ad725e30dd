/**
 * The figures of a fuzz run (scripts/fuzz.sh): requests sent and statuses seen, from
 * Schemathesis' HAR reports; and a secret scan of every response body, everything the stack
 * printed, and every workflow history on the stack's Temporal server. Writes summary.json
 * beside the reports, prints a table, and exits 1 on any 5xx or any credential found.
 *
 *   fuzz-report.ts --work DIR --temporal HOST:PORT --secrets a,b,c
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { everyHistoryText } from './history-text';

interface HarEntry {
  request: { method: string; url: string };
  response: { status: number; content?: { text?: string; encoding?: string } };
}

function argument(name: string): string {
  const index = process.argv.indexOf(`--${name}`);
  const value = index === -1 ? undefined : process.argv[index + 1];
  if (!value) throw new Error(`missing --${name}`);
  return value;
}

async function historiesOn(address: string): Promise<string[]> {
  const connection = await Connection.connect({ address });
  try {
    return await everyHistoryText(new Client({ connection }));
  } finally {
    await connection.close();
  }
}

async function main(): Promise<void> {
  const work = argument('work');
  const secrets = argument('secrets').split(',');
  const runs: Record<string, { requests: number; statuses: Record<string, number>; serverErrors: number }> = {};
  const bodies: string[] = [];
  for (const file of readdirSync(work).filter((f) => /^har-.+\.json$/.test(f))) {
    const entries = (JSON.parse(readFileSync(join(work, file), 'utf8')) as { log: { entries: HarEntry[] } }).log.entries;
    const statuses: Record<string, number> = {};
    for (const { response } of entries) {
      statuses[response.status] = (statuses[response.status] ?? 0) + 1;
      const text = response.content?.text ?? '';
      bodies.push(response.content?.encoding === 'base64' ? Buffer.from(text, 'base64').toString('utf8') : text);
    }
    runs[file.slice(4, -5)] = { requests: entries.length, statuses, serverErrors: entries.filter((e) => e.response.status >= 500).length };
  }
  const logs = readFileSync(join(work, 'stack.log'), 'utf8');
  const histories = await historiesOn(argument('temporal'));
  const found = secrets.filter((secret) => [...bodies, logs, ...histories].some((text) => text.includes(secret)));
  const total = Object.values(runs).reduce((sum, run) => ({ requests: sum.requests + run.requests, serverErrors: sum.serverErrors + run.serverErrors }), {
    requests: 0,
    serverErrors: 0,
  });
  const summary = { runs, total, secretScan: { credentials: secrets.length, responses: bodies.length, stackLogBytes: logs.length, histories: histories.length, found: found.length } };
  writeFileSync(join(work, 'summary.json'), JSON.stringify(summary, null, 2));

  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  const rows = Object.entries(runs).map(([name, run]) =>
    line([
      name,
      run.requests,
      run.serverErrors,
      Object.entries(run.statuses)
        .map(([status, n]) => `${status}×${n}`)
        .join(' '),
    ]),
  );
  process.stdout.write(
    [
      '',
      line(['key', 'requests', '5xx', 'statuses']),
      line(['---', '---', '---', '---']),
      ...rows,
      line(['all', total.requests, total.serverErrors, '']),
      '',
      `secret scan: ${secrets.length} credentials searched in ${bodies.length} responses, the stack's output and ${histories.length} workflow histories: ${found.length} found`,
      '',
    ].join('\n'),
  );
  if (total.requests === 0) throw new Error('no request was recorded: the HAR reports are missing');
  if (total.serverErrors > 0 || found.length > 0) process.exitCode = 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`fuzz-report: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
