/**
 * Jest setup: the Temporal runtime's log lines are kept in memory (so the bed can scan
 * them for secrets) and only errors are printed (TEMPORAL_TEST_LOG_LEVEL prints more).
 * Every log line, and everything written to stdout/stderr, is recorded for the suite-wide
 * secret scan (test/support/secret-scan.ts).
 */
import { DefaultLogger, Runtime, type LogEntry, type LogLevel } from '@temporalio/worker';
import { recordEvidence } from './secret-scan';

const LEVELS: LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];
const printFrom = LEVELS.indexOf((process.env.TEMPORAL_TEST_LOG_LEVEL as LogLevel | undefined) ?? 'ERROR');
export const capturedLogLines: string[] = [];
(globalThis as { __temporalLogLines?: string[] }).__temporalLogLines = capturedLogLines;

Runtime.install({
  logger: new DefaultLogger('INFO', (entry: LogEntry) => {
    const line = `${entry.level} ${entry.message} ${JSON.stringify(entry.meta ?? {}, (_k, v: unknown) => (v instanceof Error ? `${v.name}: ${v.message}` : v))}`;
    capturedLogLines.push(line);
    recordEvidence('log-line', line);
    if (LEVELS.indexOf(entry.level) >= printFrom) process.stderr.write(`${line}\n`);
  }),
});

// What the API and worker code print themselves (error lines, startup lines) is evidence too.
for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  stream.write = (chunk: unknown, ...rest: unknown[]) => {
    recordEvidence('log-line', typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return write(chunk, ...rest);
  };
}
