/** The Temporal runtime's logger (SDK, workflow and activity log calls) written through pino. */
import { DefaultLogger, type LogEntry, type LogLevel } from '@temporalio/worker';
import type { Logger } from './logger';

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };

export function temporalLogger(logger: Logger, level: LogLevel = 'INFO'): DefaultLogger {
  return new DefaultLogger(level, (entry: LogEntry) => {
    const meta = Object.fromEntries(Object.entries(entry.meta ?? {}).map(([k, v]) => [k, v instanceof Error ? `${v.name}: ${v.message}` : v]));
    logger[LEVELS[entry.level]](meta, entry.message);
  });
}
