/** The API's environment, validated at start-up: a bad value names its variable and never echoes it. */
import { intakeOf, limitsOf, loadApiConfig } from '../../api/config';
import { DEFAULT_INTAKE } from '../../api/intake';

const base = { ADMIN_TOKEN: 'an-admin-token-of-24-chars-at-least' };

test('API_PUBLIC_URL: absent or empty means the request host; an http(s) URL is kept; anything else is refused naming the variable', () => {
  expect(loadApiConfig(base).API_PUBLIC_URL).toBeUndefined();
  expect(loadApiConfig({ ...base, API_PUBLIC_URL: '' }).API_PUBLIC_URL).toBeUndefined(); // the compose file passes it empty
  expect(loadApiConfig({ ...base, API_PUBLIC_URL: 'https://scrubbing.example.net' }).API_PUBLIC_URL).toBe('https://scrubbing.example.net');
  expect(() => loadApiConfig({ ...base, API_PUBLIC_URL: 'ftp://files.example.net' })).toThrow(/^invalid configuration: API_PUBLIC_URL /);
});

test('WORKSPACE_MAX_DETECTOR_SOURCES sets the detector-source cap (default 20)', () => {
  expect(limitsOf(loadApiConfig(base)).detectorSources).toBe(20);
  expect(limitsOf(loadApiConfig({ ...base, WORKSPACE_MAX_DETECTOR_SOURCES: '3' })).detectorSources).toBe(3);
  expect(() => loadApiConfig({ ...base, WORKSPACE_MAX_DETECTOR_SOURCES: '0' })).toThrow(/WORKSPACE_MAX_DETECTOR_SOURCES/);
});

test('INTAKE_KEEP_AFTER_MS unset follows INTAKE_DELIVERY_WAIT_MS (the outbox is written when the answer can wait no longer); set, it is used as given', () => {
  expect(intakeOf(loadApiConfig(base))).toMatchObject({ deliveryWaitMs: DEFAULT_INTAKE.deliveryWaitMs, keepAfterMs: DEFAULT_INTAKE.deliveryWaitMs });
  expect(intakeOf(loadApiConfig({ ...base, INTAKE_DELIVERY_WAIT_MS: '5000' }))).toMatchObject({ deliveryWaitMs: 5_000, keepAfterMs: 5_000 });
  expect(intakeOf(loadApiConfig({ ...base, INTAKE_DELIVERY_WAIT_MS: '5000', INTAKE_KEEP_AFTER_MS: '300' }))).toMatchObject({ deliveryWaitMs: 5_000, keepAfterMs: 300 });
});
