/**
 * Structured JSON logs (pino) for the API and the worker: one line per event with `service`,
 * `level`, `time` (ISO) and `msg`, plus fields. Secrets are redacted by path before a line
 * is written: the defaults cover every credential and channel secret field and the
 * Authorization header; LOG_REDACT_PATHS adds more (comma-separated pino paths).
 */
import pino, { type Logger } from 'pino';

const DEFAULT_REDACT_PATHS = [
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'credentials',
  'secrets',
  '*.credentials',
  '*.secrets',
  '*.apiToken',
  '*.password',
  '*.applicationSecret',
  '*.consumerKey',
  '*.signingSecret',
  '*.routingKey',
  '*.webhookUrl',
  '*.key',
];

export function createLogger(service: string, env: NodeJS.ProcessEnv = process.env, destination?: pino.DestinationStream): Logger {
  const extra = (env.LOG_REDACT_PATHS ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const options: pino.LoggerOptions = {
    level: env.LOG_LEVEL ?? 'info',
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: [...DEFAULT_REDACT_PATHS, ...extra], censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger };
