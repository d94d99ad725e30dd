/**
 * A TLS endpoint that requires a client certificate, in front of a plaintext Temporal dev
 * server: what a production cluster with mutual TLS looks like to the worker and the API.
 * Certificates (a CA, the server's for 127.0.0.1/localhost, a client's) are made with the
 * openssl CLI in a temporary directory. The proxy speaks HTTP/2 (ALPN h2) and passes bytes on.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type TLSSocket } from 'node:tls';

export interface Certificates {
  dir: string;
  caPath: string;
  clientCertPath: string;
  clientKeyPath: string;
  /** A client certificate from another CA: presented, but not trusted by the endpoint. */
  strangerCertPath: string;
  strangerKeyPath: string;
}

export function makeCertificates(): Certificates {
  const dir = mkdtempSync(join(tmpdir(), 'temporal-tls-'));
  const at = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ca = (name: string) => {
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${name}`);
  };
  const leaf = (name: string, caName: string, extensions: string) => {
    writeFileSync(at(`${name}.ext`), extensions);
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${caName}.crt`, '-CAkey', `${caName}.key`, '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`);
  };
  ca('test-ca');
  ca('stranger-ca');
  leaf('server', 'test-ca', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  leaf('client', 'test-ca', 'extendedKeyUsage=clientAuth\n');
  leaf('stranger', 'stranger-ca', 'extendedKeyUsage=clientAuth\n');
  return {
    dir,
    caPath: at('test-ca.crt'),
    clientCertPath: at('client.crt'),
    clientKeyPath: at('client.key'),
    strangerCertPath: at('stranger.crt'),
    strangerKeyPath: at('stranger.key'),
  };
}

export interface MutualTlsProxy {
  address: string;
  /** Connections the endpoint refused (no or untrusted client certificate). */
  refused: number;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 with TLS and a required, CA-checked client certificate; forwards to `target` (host:port). */
export async function startMutualTlsProxy(certificates: Certificates, target: string): Promise<MutualTlsProxy> {
  const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
  const read = (name: string) => readFileSync(join(certificates.dir, name));
  const sockets = new Set<Socket>();
  const state = { refused: 0 };
  const server = createServer(
    { key: read('server.key'), cert: read('server.crt'), ca: read('test-ca.crt'), requestCert: true, rejectUnauthorized: true, ALPNProtocols: ['h2'] },
    (client: TLSSocket) => {
      const upstream = connect(port, host);
      sockets.add(client).add(upstream);
      const done = () => {
        client.destroy();
        upstream.destroy();
      };
      client
        .on('close', () => sockets.delete(client))
        .on('error', done)
        .pipe(upstream);
      upstream
        .on('close', () => sockets.delete(upstream))
        .on('error', done)
        .pipe(client);
    },
  );
  server.on('tlsClientError', () => state.refused++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    get refused() {
      return state.refused;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
