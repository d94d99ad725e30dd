/**
 * The console's forms come from the API's own document (/openapi.json): each provider's settings
 * and credentials with their required flags, enums and bounds; what the form sends on create
 * passes the zod schema the API validates with; an edit sends only what changed.
 */
import '../../api/app';
import { openApiDocument } from '../../api/openapi';
import { createChannelBody, createIntegrationBody, updateIntegrationBody } from '../../api/schemas';
import { bodyFrom, initialValues, problemsFromApi } from '../../console/src/form-body';
import { fieldsOf, leaves, variantsOf, type Field } from '../../console/src/schema-fields';

const document = openApiDocument();
const integrationVariants = variantsOf(document, 'CreateIntegration');
const fieldsFor = (type: string, name = 'CreateIntegration') => {
  const variant = variantsOf(document, name).find((v) => v.type === type);
  if (!variant) throw new Error(`no ${type} variant`);
  return fieldsOf(variant.schema, { skip: ['type'] });
};
const byPath = (fields: Field[]) => Object.fromEntries(leaves(fields).map((f) => [f.path, f]));

test('one variant per provider of the catalog, labelled by the API', () => {
  expect(integrationVariants.map((v) => v.type)).toEqual(expect.arrayContaining(['cloudflare', 'ovh', 'hetzner', 'gcore']));
  expect(integrationVariants.find((v) => v.type === 'cloudflare')?.label).toBe('Cloudflare Magic Transit');
});

test("fields follow the schema: credentials are write-only, required flags, enums, bounds and the API's defaults", () => {
  const cloudflare = byPath(fieldsFor('cloudflare'));
  expect(cloudflare['name']).toMatchObject({ kind: 'text', required: true, secret: false });
  expect(cloudflare['credentials.apiToken']).toMatchObject({ kind: 'text', required: true, secret: true });
  expect(cloudflare['settings.accountId']).toMatchObject({ kind: 'text', required: true, label: 'Account ID', pattern: expect.any(String) });
  expect(cloudflare['settings.bgpPrefixId']).toMatchObject({ required: false, label: 'BGP prefix ID' });
  expect(cloudflare['autoDivert']).toMatchObject({ kind: 'boolean', label: 'Auto-divert', byDefault: true });
  expect(cloudflare['dryRun']).toMatchObject({ kind: 'boolean', byDefault: false });
  expect(cloudflare['scope']).toMatchObject({ kind: 'literal-or-list', literal: 'workspace' });
  expect(cloudflare['minActiveSeconds']).toMatchObject({ kind: 'number', integer: true, nullable: true, min: 0 });
  expect(cloudflare['calmOnMaxWait']).toMatchObject({ kind: 'choice', options: ['withdraw', 'keep'], nullable: true });
  expect(byPath(fieldsFor('ovh'))['settings.endpoint']).toMatchObject({ kind: 'choice', required: true, options: expect.arrayContaining(['ovh-eu']) });
  expect(byPath(fieldsFor('hetzner'))['settings.serverNumber']).toMatchObject({ kind: 'number', integer: true, min: 1 });
  expect(byPath(fieldsFor('webhook', 'CreateNotificationChannel'))['secrets.signingSecret']).toMatchObject({ secret: true, minLength: 16 });
  expect(byPath(fieldsFor('webhook', 'CreateNotificationChannel'))['events']).toMatchObject({ kind: 'multi', options: expect.arrayContaining(['diverted']) });
});

test.each([
  ['cloudflare', { 'settings.accountId': 'abc123', 'settings.prefixId': 'def456', 'credentials.apiToken': 'token' }],
  ['ovh', { 'settings.endpoint': 'ovh-eu', 'settings.ip': '203.0.113.7', 'credentials.applicationKey': 'ak', 'credentials.applicationSecret': 'as', 'credentials.consumerKey': 'ck' }],
  ['hetzner', { 'settings.serverNumber': '4321', 'credentials.username': '#ws+x', 'credentials.password': 'pw', 'scope#mode': 'list', scope: '192.0.2.0/24\n2001:db8::/32' }],
])('a %s form filled in creates a body the API accepts', (type, entered) => {
  const fields = fieldsFor(type);
  const { body, problems } = bodyFrom(fields, { ...initialValues(fields), name: `Edge <b>${type}</b>`, minActiveSeconds: '0', ...entered }, 'create');
  expect(problems).toEqual({});
  const parsed = createIntegrationBody.safeParse({ type, ...body });
  expect(parsed.error?.issues ?? []).toEqual([]);
  expect(body).toMatchObject({ autoDivert: true, dryRun: false, minActiveSeconds: 0 });
  expect(body).not.toHaveProperty('reactivateAfterSeconds'); // left empty: the provider default
});

test('what is missing or malformed is named before anything is sent', () => {
  const fields = fieldsFor('cloudflare');
  const { problems } = bodyFrom(fields, { ...initialValues(fields), 'settings.accountId': 'not hex', 'scope#mode': 'list', scope: '192.0.2.0/33', minActiveSeconds: '-1' }, 'create');
  expect(problems).toEqual({
    name: 'required',
    'settings.accountId': 'not in the expected format',
    'settings.prefixId': 'required',
    'credentials.apiToken': 'required',
    scope: 'not valid: 192.0.2.0/33',
    minActiveSeconds: 'at least 0',
  });
});

test('an edit sends only what changed: settings whole, credentials only when entered, a cleared window as null', () => {
  const fields = fieldsFor('cloudflare');
  const stored = {
    type: 'cloudflare',
    name: 'Magic Transit',
    autoDivert: true,
    scope: ['192.0.2.0/24'],
    minActiveSeconds: 600,
    settings: { accountId: 'abc', prefixId: 'def' },
    credentials: { apiToken: '********' },
  };
  const initial = initialValues(fields, stored);
  expect(initial['credentials.apiToken']).toBe(''); // never filled from the API
  expect(initial['scope']).toBe('192.0.2.0/24');
  expect(bodyFrom(fields, initial, 'edit', initial)).toEqual({ body: {}, problems: {} });
  const edited = { ...initial, name: 'Renamed', minActiveSeconds: '', 'settings.prefixId': 'beef' };
  const { body, problems } = bodyFrom(fields, edited, 'edit', initial);
  expect(problems).toEqual({});
  expect(body).toEqual({ name: 'Renamed', minActiveSeconds: null, settings: { accountId: 'abc', prefixId: 'beef' } });
  expect(updateIntegrationBody.safeParse(body).success).toBe(true);
  expect(bodyFrom(fields, { ...initial, 'credentials.apiToken': 'new-token' }, 'edit', initial).body).toEqual({ credentials: { apiToken: 'new-token' } });
  const ovh = fieldsFor('ovh');
  const ovhInitial = initialValues(ovh, { settings: { endpoint: 'ovh-eu', ip: '203.0.113.7' } });
  expect(bodyFrom(ovh, { ...ovhInitial, 'credentials.consumerKey': 'ck' }, 'edit', ovhInitial).problems).toEqual({
    'credentials.applicationKey': 'to replace the credentials, enter every one',
    'credentials.applicationSecret': 'to replace the credentials, enter every one',
  });
});

test('a channel form creates a body the API accepts; an optional empty settings part is left out', () => {
  const fields = fieldsFor('slack', 'CreateNotificationChannel');
  const { body, problems } = bodyFrom(fields, { ...initialValues(fields), name: 'ops', events: ['diverted'], 'secrets.webhookUrl': 'https://hooks.example.net/T0/B0' }, 'create');
  expect(problems).toEqual({});
  expect(body).toEqual({ name: 'ops', events: ['diverted'], secrets: { webhookUrl: 'https://hooks.example.net/T0/B0' } });
  expect(createChannelBody.safeParse({ type: 'slack', ...body }).success).toBe(true);
});

test("the API's field names map onto the form's", () => {
  expect(
    problemsFromApi([
      { field: 'body.settings.accountId', message: 'Invalid' },
      { field: 'body.name', message: 'Too long' },
    ]),
  ).toEqual({
    'settings.accountId': 'Invalid',
    name: 'Too long',
  });
});
