/**
 * A production Temporal cluster with mutual TLS (issue P, item 5): the real worker and API
 * processes (`npm run worker`, `npm run api`) reach the dev server only through a TLS endpoint
 * that requires a client certificate from its CA, configured by Temporal's standard variables
 * (worker/temporal-connection.ts). An attack reported to that API diverts. Without a client
 * certificate, or with one from another CA, or without TLS, the connection is refused.
 */
import { Connection } from '@temporalio/client';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CredentialCipher } from '../../store/crypto';
import { useBed } from '../support/bed';
import { testMongoUrl } from '../support/database';
import { eventually } from '../support/eventually';
import { freePort } from '../support/net';
import { makeCertificates, startMutualTlsProxy, type Certificates, type MutualTlsProxy } from '../support/tls';
import { killWorker, spawnApi, spawnWorker, workerBedEnv } from '../support/worker-process';

const bed = useBed();
let certificates: Certificates;
let proxy: MutualTlsProxy;
beforeAll(async () => {
  certificates = makeCertificates();
  proxy = await startMutualTlsProxy(certificates, bed.env.address);
});
afterAll(() => proxy?.close());

const tlsEnv = () => ({
  TEMPORAL_ADDRESS: proxy.address,
  TEMPORAL_TLS_CLIENT_CERT_PATH: certificates.clientCertPath,
  TEMPORAL_TLS_CLIENT_KEY_PATH: certificates.clientKeyPath,
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: certificates.caPath,
  TEMPORAL_TLS_SERVER_NAME: 'localhost',
});

test("without a trusted client certificate (none, another CA's, or no TLS at all) the endpoint refuses the connection", async () => {
  const ca = readFileSync(certificates.caPath);
  const attempts = {
    'no client certificate': { tls: { serverRootCACertificate: ca, serverNameOverride: 'localhost' } },
    'a certificate from another CA': {
      tls: { serverRootCACertificate: ca, serverNameOverride: 'localhost', clientCertPair: { crt: readFileSync(certificates.strangerCertPath), key: readFileSync(certificates.strangerKeyPath) } },
    },
    'no TLS': {},
  };
  const refusedBefore = proxy.refused;
  for (const [what, options] of Object.entries(attempts)) {
    const connection = Connection.lazy({ address: proxy.address, connectTimeout: 2_000, ...options });
    try {
      const outcome = await connection
        .withDeadline(Date.now() + 3_000, () => connection.workflowService.getSystemInfo({}))
        .then(
          () => 'connected',
          () => 'refused',
        );
      expect(`${what}: ${outcome}`).toBe(`${what}: refused`);
    } finally {
      await connection.close();
    }
  }
  expect(proxy.refused).toBeGreaterThan(refusedBefore);
  // With the client certificate it works (the same call).
  const connection = await Connection.connect({
    address: proxy.address,
    tls: { serverRootCACertificate: ca, serverNameOverride: 'localhost', clientCertPair: { crt: readFileSync(certificates.clientCertPath), key: readFileSync(certificates.clientKeyPath) } },
  });
  try {
    await expect(connection.workflowService.getSystemInfo({})).resolves.toBeDefined();
  } finally {
    await connection.close();
  }
});

test('the worker and the API, configured with TEMPORAL_TLS_* variables, run through the mutual-TLS endpoint: an attack diverts', async () => {
  const taskQueue = `tls-${randomBytes(4).toString('hex')}`;
  const encryptionKeys = CredentialCipher.generateSpec('tls');
  const adminToken = randomBytes(24).toString('hex');
  const port = await freePort();
  const bundlePath = join(certificates.dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, bed.bundle.code);
  const common = { ...tlsEnv(), TEMPORAL_TASK_QUEUE: taskQueue, MONGO_URL: testMongoUrl(), ENCRYPTION_KEYS: encryptionKeys, LOG_LEVEL: 'info' };
  const worker = spawnWorker({ ...common, ...workerBedEnv(bed.sim, bundlePath) });
  const api = spawnApi({ ...common, API_PORT: String(port), ADMIN_TOKEN: adminToken });
  try {
    await Promise.all([worker.ready, api.ready]);
    const url = `http://127.0.0.1:${port}`;
    const call = async (method: string, path: string, token: string, body?: unknown) => {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, body: (await response.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
    };
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const owner = (await call('POST', '/v1/workspaces', adminToken, { id: 'tls', name: 'TLS', holdDownSeconds: 0 })).body.ownerKey.key as string;
    const cf = {
      accountId: randomBytes(16).toString('hex'),
      prefixId: randomBytes(16).toString('hex'),
      bgpPrefixId: randomBytes(16).toString('hex'),
      token: `cf-tls-${randomBytes(8).toString('hex')}`,
    };
    bed.secrets.push(cf.token);
    bed.sim.cloudflare.seed({ ...cf, cidr: '192.0.2.0/24' });
    const created = await call('POST', '/v1/workspaces/tls/integrations', owner, {
      type: 'cloudflare',
      name: 'cf',
      minActiveSeconds: 0,
      reactivateAfterSeconds: 0,
      settings: { accountId: cf.accountId, prefixId: cf.prefixId },
      credentials: { apiToken: cf.token },
    });
    expect(created.status).toBe(201);
    const reported = await call('POST', '/v1/workspaces/tls/incidents', owner, { id: 'through-tls' });
    expect(reported).toMatchObject({ status: 202, body: { delivery: 'delivered' } });
    await eventually(
      () => bed.sim.cloudflare.bgpPrefix(cf.accountId, cf.prefixId, cf.bgpPrefixId)?.on_demand.advertised,
      (v) => v === true,
      { what: 'diverted through mutual TLS', timeoutMs: 30_000 },
    );
    // The state query goes through the API's TLS connection too.
    await eventually(
      () => call('GET', '/v1/workspaces/tls/scrubbing', owner),
      (state) => state.body.integrations?.[0]?.actual === 'active',
      { what: 'the state says diverted' },
    );
  } finally {
    await Promise.all([killWorker(worker.child, 'SIGTERM'), killWorker(api.child, 'SIGTERM')]);
  }
}, 120_000);
