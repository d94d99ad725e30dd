/**
 * The application database the API and the worker share. MONGO_URL (any MongoDB) when set;
 * otherwise FerretDB, on PostgreSQL when PostgreSQL is installed (started privately in the
 * bench's temporary directory), else on SQLite as `npm run dev` runs it. FerretDB 1.24
 * pushes only `_id` filters down to SQLite, so there every other lookup reads the whole
 * collection; on PostgreSQL it pushes equality filters down to indexed columns, which is
 * how MongoDB behaves. BENCH_STORE=sqlite|postgresql chooses.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { freePort } from '../test/support/net';
import { REPO_ROOT } from '../test/support/tools';
import { spawnLogged, stopProcess, waitForPort, type Spawned } from './processes';
import { fetchMetrics, parsePrometheus, sumByLabel, type MetricSample } from './prometheus';

export interface AppStore {
  mongoUrl: string;
  description: string;
  /** Processes whose CPU and memory count as the store's. */
  pids: number[];
  /**
   * Commands the database has answered so far, by name (`insert`, `update`, `find`…), from FerretDB's
   * own metrics; undefined on MongoDB (MONGO_URL), whose counters the bench does not read.
   */
  commands(): Promise<Record<string, number> | undefined>;
  stop(): Promise<void>;
}

/** FerretDB's `ferretdb_client_requests_total{command="…"}` counters, summed by command. */
const commandCounts = (samples: MetricSample[]) => sumByLabel(samples, 'ferretdb_client_requests_total', 'command');

/** The same, from FerretDB's metrics text. */
export function parseCommandCounts(metrics: string): Record<string, number> {
  return commandCounts(parsePrometheus(metrics));
}

function postgresBinDir(): string | undefined {
  try {
    return dirname(realpathSync(execFileSync('sh', ['-c', 'command -v postgres'], { encoding: 'utf8' }).trim()));
  } catch {
    return undefined;
  }
}

/** PostgreSQL refuses to run as root: when the bench is root, it runs as the `postgres` user. */
function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

async function startPostgres(binDir: string, dataDir: string): Promise<{ url: string; server: Spawned }> {
  const dir = join(dataDir, 'postgresql');
  mkdirSync(dir);
  const user = postgresUser();
  if (user) {
    chmodSync(dataDir, 0o711); // mkdtemp makes it 0700: the postgres user must reach its directory inside
    chownSync(dir, user.uid, user.gid);
  }
  execFileSync(join(binDir, 'initdb'), ['-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8'], {
    stdio: 'ignore',
    ...(user ?? {}),
  });
  const port = await freePort();
  // Commits are not flushed one by one, as the Temporal dev server's SQLite runs here (synchronous=normal).
  const args = ['-D', join(dir, 'data'), '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'synchronous_commit=off'];
  const server = spawnLogged('PostgreSQL', join(binDir, 'postgres'), args, join(dataDir, 'postgresql.log'), process.env, user);
  await waitForPort(port, server);
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, server };
}

export async function startAppStore(dataDir: string): Promise<AppStore> {
  if (process.env.MONGO_URL) {
    const url = `${process.env.MONGO_URL.replace(/\/+$/, '')}/bench_${Date.now()}`;
    return { mongoUrl: url, description: 'MongoDB (MONGO_URL)', pids: [], commands: () => Promise.resolve(undefined), stop: () => Promise.resolve() };
  }
  const wanted = process.env.BENCH_STORE;
  const binDir = wanted === 'sqlite' ? undefined : postgresBinDir();
  if (wanted === 'postgresql' && !binDir) throw new Error('BENCH_STORE=postgresql but no postgres binary is on the PATH');
  const [ferretPort, debugPort] = [await freePort(), await freePort()];
  // The debug address serves FerretDB's metrics (commands answered), read around each burst wave.
  const common = [`--listen-addr=127.0.0.1:${ferretPort}`, '--telemetry=disable', `--debug-addr=127.0.0.1:${debugPort}`, '--log-level=error'];
  let postgres: Spawned | undefined;
  let backend: string[];
  if (binDir) {
    const started = await startPostgres(binDir, dataDir);
    postgres = started.server;
    backend = ['--handler=postgresql', `--postgresql-url=${started.url}`];
  } else {
    mkdirSync(join(dataDir, 'ferretdb'));
    backend = ['--handler=sqlite', `--sqlite-url=file:${dataDir}/ferretdb/`];
  }
  const ferret = spawnLogged('FerretDB', join(REPO_ROOT, '.tools', 'ferretdb'), [...backend, ...common], join(dataDir, 'ferretdb.log'));
  try {
    await waitForPort(ferretPort, ferret);
  } catch (err) {
    await stopProcess(ferret.child);
    if (postgres) await stopProcess(postgres.child);
    throw err;
  }
  return {
    mongoUrl: `mongodb://127.0.0.1:${ferretPort}/bench`,
    description: postgres ? 'FerretDB on PostgreSQL (synchronous_commit=off)' : 'FerretDB on SQLite',
    pids: [ferret.child.pid as number, ...(postgres ? [postgres.child.pid as number] : [])],
    async commands() {
      return commandCounts(await fetchMetrics(`http://127.0.0.1:${debugPort}/debug/metrics`, 'FerretDB'));
    },
    async stop() {
      await stopProcess(ferret.child);
      if (postgres) await stopProcess(postgres.child);
    },
  };
}
