/** The worker's configuration is validated at start-up like the API's: a bad value names its variable, never its value. */
import { loadWorkerConfig } from '../../worker/config';

test('defaults, and an empty variable counts as unset', () => {
  expect(loadWorkerConfig({ WORKER_METRICS_PORT: '', PROVIDER_EGRESS_ID: '' })).toMatchObject({
    WORKER_METRICS_HOST: '127.0.0.1',
    WORKER_METRICS_PORT: 9464,
    TEMPORAL_METRICS_PORT: 9465,
    METRICS_MAX_WORKSPACES: 50,
    PROVIDER_EGRESS_ID: 'default',
    LOGIN_FAILURE_BUDGET: 2,
  });
  expect(loadWorkerConfig({ WORKER_METRICS_PORT: 'off', TEMPORAL_METRICS_PORT: '0', LOGIN_FAILURE_BUDGET: '1' })).toMatchObject({
    WORKER_METRICS_PORT: 'off',
    TEMPORAL_METRICS_PORT: 0,
    LOGIN_FAILURE_BUDGET: 1,
  });
});

test.each([
  ['WORKER_METRICS_PORT', '99999', 'must be a port'],
  ['TEMPORAL_METRICS_PORT', 'nine', 'must be a port'],
  ['LOGIN_FAILURE_BUDGET', '3', 'must be 1 or 2'],
  ['METRICS_MAX_WORKSPACES', '-1', 'METRICS_MAX_WORKSPACES'],
  ['CLOUDFLARE_API_URL', 'ftp://secret-host.example/x', 'must be an http(s) URL'],
  ['OUTBOUND_ALLOW_HTTP', 'maybe', 'must be true or false'],
])('%s=%s is refused with a message naming it', (name, value, message) => {
  const load = () => loadWorkerConfig({ [name]: value });
  expect(load).toThrow(`invalid configuration: ${name}`);
  expect(load).toThrow(message);
  expect(load).not.toThrow(value === '3' || value === '-1' ? /^$/ : value); // the value itself is never echoed
});
