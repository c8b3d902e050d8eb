/**
 * A private PostgreSQL server for the tests: `initdb` into a temporary folder, `pg_ctl` as an
 * unprivileged user (`postgres` when the tests run as root, as in CI; PostgreSQL refuses to
 * run as root), listening on 127.0.0.1 and a free port, with password logins over TCP. Never a
 * shared server, never a mock. Debian's `postgresql` package provides the binaries
 * (`.ci/postgres-deps.sh`); without them the tests fail, saying so.
 */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export const PG_USER = 'lisht';
export const PG_PASSWORD = 'lisht-test-password';

/** The newest Debian PostgreSQL's bin folder (or $PG_BIN). */
export function postgresBin(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl'))).sort((a, b) => Number(b) - Number(a)) : [];
  if (versions.length === 0) throw new Error(`PostgreSQL binaries not found under ${root}: install them with \`bash .ci/postgres-deps.sh\` (Debian's postgresql package), or set PG_BIN`);
  return join(root, versions[0]!, 'bin');
}

/** A free TCP port on 127.0.0.1 (free when asked; the server takes it right after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface PgServer {
  port: number;
  /** URL of a database, with the test user's password. */
  url(database?: string): string;
  /** A fresh, empty database; resolves to its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server (fast shutdown: connections are cut, as in a restart). */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server for good and removes its folder. */
  remove(): Promise<void>;
}

interface Runner {
  (cmd: string, args: string[]): Promise<{ stdout: string; stderr: string }>;
}

/** Initialises and starts a server; the caller removes it (`remove()`, e.g. in `after`). */
export async function startPostgres(): Promise<PgServer> {
  const bin = postgresBin();
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'lisht-pg-'));
  const data = join(dir, 'data');
  const pwfile = join(dir, 'pw');
  writeFileSync(pwfile, PG_PASSWORD + '\n');
  let exec: Runner = (cmd, args) => run(join(bin, cmd), args);
  if (asRoot) {
    const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
    chownSync(dir, uid, gid);
    chownSync(pwfile, uid, gid);
    exec = (cmd, args) => run('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]);
  }
  const port = await freePort();
  await exec('initdb', ['-D', data, '-U', PG_USER, `--pwfile=${pwfile}`, '--auth-host=scram-sha-256', '--auth-local=trust', '-E', 'UTF8', '--no-instructions']);
  const options = `-c listen_addresses=127.0.0.1 -p ${port} -c unix_socket_directories=${dir} -c fsync=off -c full_page_writes=off -c max_connections=100`;
  const log = join(dir, 'server.log');
  const start = async () => {
    await exec('pg_ctl', ['-D', data, '-l', log, '-o', options, '-w', '-t', '60', 'start']);
  };
  const stop = async () => {
    await exec('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
  };
  await start();
  const url = (database = 'postgres') => `postgres://${PG_USER}:${encodeURIComponent(PG_PASSWORD)}@127.0.0.1:${port}/${database}`;
  return {
    port,
    url,
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: url() });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    stop,
    start,
    async remove() {
      await exec('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
