/**
 * Jest setup: the Temporal runtime's log lines are kept in memory (so the bed can scan
 * them for secrets) and only errors are printed (TEMPORAL_TEST_LOG_LEVEL prints more).
 */
import { DefaultLogger, Runtime, type LogEntry, type LogLevel } from '@temporalio/worker';

const LEVELS: LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];
const printFrom = LEVELS.indexOf((process.env.TEMPORAL_TEST_LOG_LEVEL as LogLevel | undefined) ?? 'ERROR');
export const capturedLogLines: string[] = [];
(globalThis as { __temporalLogLines?: string[] }).__temporalLogLines = capturedLogLines;

Runtime.install({
  logger: new DefaultLogger('INFO', (entry: LogEntry) => {
    const line = `${entry.level} ${entry.message} ${JSON.stringify(entry.meta ?? {}, (_k, v: unknown) => (v instanceof Error ? `${v.name}: ${v.message}` : v))}`;
    capturedLogLines.push(line);
    if (LEVELS.indexOf(entry.level) >= printFrom) process.stderr.write(`${line}\n`);
  }),
});
