/**
 * What the operator console needs from the API, over HTTP: GET /v1/me tells a key its workspace,
 * role, rights and the Temporal UI link; /console serves the built bundle and /docs the
 * swagger-ui reference, both with the strict browser headers (CSP without inline scripts, no
 * framing, no sniffing, no referrer), and neither is an API operation in /openapi.json.
 * The browser itself is test/e2e/console.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_TOKEN, startApi, type Answer, type ApiBed } from '../support/api-bed';
import { useBed } from '../support/bed';
import { buildConsole } from '../../scripts/build-console';

const bed = useBed();
const TEMPORAL_UI = 'http://temporal-ui.test:8233';
const STRICT_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
let api: ApiBed;
let consoleDir = '';
const keys: Record<string, { id: string; key: string }> = {};

beforeAll(async () => {
  consoleDir = join(mkdtempSync(join(tmpdir(), 'console-')), 'dist');
  await buildConsole({ outDir: consoleDir });
  // A trailing slash, as operators write it: links must not come out with a double one.
  api = await startApi(bed, { temporalUiUrl: `${TEMPORAL_UI}/`, consoleDir });
  const created = await api.call('POST', '/v1/workspaces', { token: ADMIN_TOKEN, body: { id: 'console-me', name: 'Console', holdDownSeconds: 0 } });
  expect(created.status).toBe(201);
  keys.owner = { id: created.body.ownerKey.id, key: created.body.ownerKey.key };
  for (const role of ['admin', 'detector', 'viewer']) {
    const key = await api.call('POST', '/v1/workspaces/console-me/api-keys', { token: keys.owner.key, body: { name: `${role} <key>`, role } });
    keys[role] = { id: key.body.id, key: key.body.key };
  }
});
afterAll(async () => {
  await api?.close();
  if (consoleDir) rmSync(join(consoleDir, '..'), { recursive: true, force: true });
});

const expectBrowserHeaders = (answer: Answer, where: string) =>
  expect({
    where,
    csp: answer.headers.get('content-security-policy'),
    frame: answer.headers.get('x-frame-options'),
    sniff: answer.headers.get('x-content-type-options'),
    referrer: answer.headers.get('referrer-policy'),
  }).toEqual({ where, csp: STRICT_CSP, frame: 'DENY', sniff: 'nosniff', referrer: 'no-referrer' });

/** Every <script> loads a file of this origin; no inline style or event handler: the CSP would block them. */
const expectNoInlineCode = (html: string) => {
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
  expect(scripts.length).toBeGreaterThan(0);
  for (const [, attributes, body] of scripts) {
    expect(attributes).toMatch(/\ssrc="\/[^/]/);
    expect(body!.trim()).toBe('');
  }
  expect(html).not.toMatch(/<style[\s>]|\sstyle=|\son[a-z]+=/i);
};

test('GET /v1/me tells each key its workspace, role, name, rights and the workflow in the Temporal UI', async () => {
  const namespace = bed.env.client.options.namespace;
  for (const role of ['owner', 'admin', 'detector', 'viewer']) {
    const me = await api.call('GET', '/v1/me', { token: keys[role]!.key });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      workspaceId: 'console-me',
      role,
      keyId: keys[role]!.id,
      keyName: role === 'owner' ? 'owner' : `${role} <key>`,
      rights: expect.any(Array),
      temporalUiUrl: TEMPORAL_UI,
      workflowUrl: `${TEMPORAL_UI}/namespaces/${namespace}/workflows/scrubbing-console-me`,
    });
  }
  const rights = async (role: string) => (await api.call('GET', '/v1/me', { token: keys[role]!.key })).body.rights as string[];
  expect(await rights('owner')).toEqual(expect.arrayContaining(['apiKeys.manage', 'integrations.write', 'channels.manage']));
  expect(await rights('admin')).toEqual(expect.arrayContaining(['integrations.write', 'channels.manage']));
  expect(await rights('admin')).not.toContain('apiKeys.manage');
  for (const role of ['detector', 'viewer']) {
    expect(await rights(role)).toEqual(expect.arrayContaining(['scrubbing.read', 'events.read']));
    expect((await rights(role)).filter((right) => /write|manage/.test(right))).toEqual([]);
  }
});

test('GET /v1/me refuses the server admin token (403: it has no workspace), a missing and a revoked key (401)', async () => {
  const admin = await api.call('GET', '/v1/me', { token: ADMIN_TOKEN });
  expect({ status: admin.status, code: admin.body.error.code }).toEqual({ status: 403, code: 'forbidden' });
  expect(admin.body.error.message).toMatch(/workspace API key/);
  expect((await api.call('GET', '/v1/me')).status).toBe(401);
  const old = await api.call('POST', '/v1/workspaces/console-me/api-keys', { token: keys.owner!.key, body: { name: 'old', role: 'viewer' } });
  await api.call('DELETE', `/v1/workspaces/console-me/api-keys/${old.body.id}`, { token: keys.owner!.key });
  expect((await api.call('GET', '/v1/me', { token: old.body.key })).status).toBe(401);
});

test('without TEMPORAL_UI_URL, /v1/me has no links', async () => {
  const plain = await startApi(bed, { database: api.database, consoleDir });
  try {
    const me = await plain.call('GET', '/v1/me', { token: keys.viewer!.key });
    expect(me.body).toMatchObject({ workspaceId: 'console-me', temporalUiUrl: null, workflowUrl: null });
  } finally {
    await plain.close();
  }
});

test('/console serves the page (also for its app routes) and hashed assets, all with the strict browser headers', async () => {
  const page = await api.call('GET', '/console/');
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  expect(page.headers.get('cache-control')).toBe('no-cache');
  expectBrowserHeaders(page, '/console/');
  expectNoInlineCode(page.body);
  expect(page.body).toMatch(/<html lang="en">/);
  for (const path of ['/console', '/console/integrations', '/console/index.html']) {
    const same = await api.call('GET', path);
    expect({ path, status: same.status, body: same.body }).toEqual({ path, status: 200, body: page.body });
    expectBrowserHeaders(same, path);
  }
  const assets = [...(page.body as string).matchAll(/(?:src|href)="(\/console\/[^"]+)"/g)].map((m) => m[1]!);
  expect(assets).toEqual(expect.arrayContaining([expect.stringMatching(/^\/console\/app-[A-Z0-9]{8}\.js$/), expect.stringMatching(/^\/console\/app-[A-Z0-9]{8}\.css$/)]));
  for (const asset of assets) {
    const file = await api.call('GET', asset);
    expect({ asset, status: file.status }).toEqual({ asset, status: 200 });
    expectBrowserHeaders(file, asset);
    const type = file.headers.get('content-type') ?? '';
    if (asset.endsWith('.js')) expect(type).toMatch(/^(text|application)\/javascript/);
    if (asset.endsWith('.css')) expect(type).toMatch(/^text\/css/);
    if (/-[A-Z0-9]{8}\.(js|css)$/.test(asset)) expect(file.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  }
  expect((await api.call('GET', '/console/missing.js')).status).toBe(404);
  expect((await api.call('GET', '/console/%2e%2e/package.json')).status).toBe(404);
});

test('without a built console, /console answers 503 and names the command that builds it', async () => {
  const unbuilt = await startApi(bed, { database: api.database, consoleDir: join(consoleDir, 'missing') });
  try {
    const answer = await unbuilt.call('GET', '/console/');
    expect(answer.status).toBe(503);
    expect(answer.body).toMatch(/the console is not built: run npm run build:console/);
    expectBrowserHeaders(answer, 'unbuilt /console/');
  } finally {
    await unbuilt.close();
  }
});

test('/docs is swagger-ui from npm assets, started by a script file with /openapi.json, under the same headers', async () => {
  const page = await api.call('GET', '/docs');
  expect(page.status).toBe(200);
  expectBrowserHeaders(page, '/docs');
  expectNoInlineCode(page.body);
  expect(page.body).toContain('/docs/swagger-ui-bundle.js');
  expect(page.body).toContain('/docs/swagger-ui.css');
  const init = await api.call('GET', '/docs/docs-init.js');
  expect(init.headers.get('content-type')).toMatch(/javascript/);
  expect(init.body).toContain("url: '/openapi.json'");
  for (const asset of ['/docs/swagger-ui-bundle.js', '/docs/swagger-ui.css', '/docs/favicon-32x32.png']) {
    const file = await api.call('GET', asset);
    expect({ asset, status: file.status }).toEqual({ asset, status: 200 });
    expectBrowserHeaders(file, asset);
  }
  // Only the files the page uses: not the rest of the package.
  expect((await api.call('GET', '/docs/package.json')).status).toBe(404);
});

test('/v1/me is in the OpenAPI document; the console and the docs are not API operations', async () => {
  const doc = await api.call('GET', '/openapi.json');
  expect(Object.keys(doc.body.paths)).toContain('/v1/me');
  expect(Object.keys(doc.body.paths).filter((path) => /^\/(console|docs)/.test(path))).toEqual([]);
  expect(doc.body.components.schemas.Me.required).toEqual(expect.arrayContaining(['workspaceId', 'role', 'keyId', 'keyName', 'rights', 'temporalUiUrl', 'workflowUrl']));
});
