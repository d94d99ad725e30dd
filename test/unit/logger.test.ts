import { Writable } from 'node:stream';
import { createLogger } from '../../telemetry/logger';

function capture(env: NodeJS.ProcessEnv = {}) {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger('test', env, stream), lines };
}

test('log lines are JSON with service, level and ISO time', () => {
  const { logger, lines } = capture();
  logger.info({ requestId: 'r-1', status: 202 }, 'request');
  expect(lines[0]).toMatchObject({ service: 'test', level: 'info', msg: 'request', requestId: 'r-1', status: 202 });
  expect(String(lines[0]!.time)).toMatch(/^\d{4}-\d\d-\d\dT/);
});

test('credentials, channel secrets and the Authorization header are redacted by default; LOG_REDACT_PATHS adds paths', () => {
  const { logger, lines } = capture({ LOG_REDACT_PATHS: 'custom.token' });
  logger.warn(
    {
      integration: { credentials: { apiToken: 'cf-secret' }, settings: { accountId: 'abc' } },
      channel: { secrets: { routingKey: 'pd-secret' }, signingSecret: 'wh-secret' },
      headers: { authorization: 'Bearer so_abc_def' },
      custom: { token: 'mine' },
    },
    'something',
  );
  const text = JSON.stringify(lines[0]);
  for (const secret of ['cf-secret', 'pd-secret', 'wh-secret', 'so_abc_def', 'mine']) expect(text).not.toContain(secret);
  expect(lines[0]).toMatchObject({ integration: { credentials: '[redacted]', settings: { accountId: 'abc' } }, headers: { authorization: '[redacted]' } });
});
