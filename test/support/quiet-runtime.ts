/** Jest setup: the Temporal runtime logs only errors in tests (set TEMPORAL_TEST_LOG_LEVEL to see more). */
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';

Runtime.install({ logger: new DefaultLogger((process.env.TEMPORAL_TEST_LOG_LEVEL as LogLevel | undefined) ?? 'ERROR') });
