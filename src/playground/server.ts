/**
 * The playground's web server: node:http serving the built page (and nothing else) from
 * 127.0.0.1 by default, with the headers that make the page cross-origin isolated (so the
 * wasm backend may run threads), tfjs-backend-wasm's own `.wasm` files, and optionally one
 * CIFAR-10 archive at a fixed address.
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import { CIFAR10_LAYOUT, loadCifar } from '../datasets/cifar.js';
import { UserError } from '../errors.js';
import { EXIT } from '../exit_codes.js';
import { DATA_URL, siteMark } from './paths.js';
import { siteDir, wasmDir } from './site.js';

export { DATA_URL };

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.gz': 'application/gzip',
  '.txt': 'text/plain; charset=utf-8',
};

/** Cross-origin isolation: `self.crossOriginIsolated` becomes true, SharedArrayBuffer works. */
const ISOLATION = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
  'x-content-type-options': 'nosniff',
};

export interface PlaygroundServerOptions {
  port: number;
  host: string;
  /** A CIFAR-10 binary archive to serve at {@link DATA_URL}. */
  data?: string;
  /** The built page; default the one shipped with the package. */
  site?: string;
}

export interface PlaygroundServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/**
 * The file a request path names under `root`, or null when the path is malformed or leaves
 * `root` (`..` in any encoding, a NUL, a backslash, an absolute or drive path after decoding).
 */
export function resolveRequestPath(root: string, pathname: string): string | null {
  if (!pathname.startsWith('/')) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\') || decoded.startsWith('//') || /^\/[A-Za-z]:/.test(decoded)) return null;
  if (decoded.split('/').some((part) => part === '..' || part === '.')) return null;
  const relative = decoded.endsWith('/') ? `${decoded}index.html` : decoded;
  const file = resolve(root, `.${relative}`);
  return file.startsWith(root.endsWith(sep) ? root : root + sep) ? file : null;
}

/** True for addresses that listen on every interface: the page is then open to the network. */
export function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

/** True for loopback addresses and names: only this machine reaches them. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\./.test(h);
}

/**
 * Whether a request's Host header names this server: `localhost`, a loopback address, the
 * address bound, or, bound to every interface, any IP address (one of this machine's, as the
 * connection reached it). A page of another site that points its own name at this machine (DNS
 * rebinding) sends that name and is refused, so it cannot read the page or the data through a
 * visitor's browser; an IP address cannot be rebound.
 */
function hostAllowed(name: string | undefined, bound: string): boolean {
  if (name === undefined) return false;
  if (isLoopbackHost(name) || name === bound.replace(/^\[|\]$/g, '').toLowerCase()) return true;
  return isWildcardHost(bound) && isIP(name) !== 0;
}

/** The host name of a Host header (`name:port`, `[v6]:port`), lower case, without the port. */
function hostName(header: string | undefined): string | undefined {
  if (header === undefined || header === '') return undefined;
  const v6 = /^\[([^\]]+)\](?::\d+)?$/.exec(header);
  if (v6) return v6[1]!.toLowerCase();
  return header.replace(/:\d+$/, '').toLowerCase();
}

/**
 * Checks that `path` is a CIFAR-10 binary archive (a file lisht's own reader accepts whole),
 * so that `--data` cannot publish any other file (a key, /etc/shadow) to whoever reaches the
 * port. Throws a one-line UserError: 66 when it cannot be read, 65 when it is not CIFAR-10.
 */
export async function checkDataArchive(path: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw new UserError(`${path}: no such file (--data takes a CIFAR-10 binary archive)`, EXIT.NO_INPUT);
  try {
    await loadCifar(path, CIFAR10_LAYOUT, { fromCache: false, name: 'cifar10' });
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    throw new UserError(`--data ${path} is not served: it is not a CIFAR-10 binary archive (${err.message})`, err.exitCode === EXIT.NO_INPUT ? EXIT.NO_INPUT : EXIT.DATA);
  }
}

function fail(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...ISOLATION }).end(`${text}\n`);
}

async function sendFile(req: IncomingMessage, res: ServerResponse, file: string, type?: string): Promise<void> {
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) return fail(res, 404, 'not found');
  res.writeHead(200, {
    'content-type': type ?? TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': info.size,
    'cache-control': 'no-cache',
    ...ISOLATION,
  });
  if (req.method === 'HEAD') return void res.end();
  createReadStream(file).on('error', () => res.destroy()).pipe(res);
}

async function sendPageWithoutData(req: IncomingMessage, res: ServerResponse, file: string): Promise<void> {
  const page = await readFile(file, 'utf8').catch(() => undefined);
  if (page === undefined) return fail(res, 404, 'not found');
  const body = Buffer.from(page.replace(siteMark('server'), siteMark('server-without-data')));
  res.writeHead(200, { 'content-type': TYPES['.html']!, 'content-length': body.length, 'cache-control': 'no-cache', ...ISOLATION });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** Starts the server; a port in use is a `UserError` with exit code CANT_CREATE. */
export async function startPlaygroundServer(options: PlaygroundServerOptions): Promise<PlaygroundServer> {
  const site = resolve(options.site ?? siteDir());
  const wasm = wasmDir();
  const data = options.data === undefined ? undefined : resolve(options.data);
  if (data !== undefined) await checkDataArchive(data);
  const server = createServer((req, res) => {
    if (!hostAllowed(hostName(req.headers.host), options.host)) {
      return fail(res, 403, `forbidden: this server answers to localhost and ${options.host}, not to the host ${JSON.stringify(req.headers.host ?? '')}`);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return fail(res, 405, 'only GET and HEAD');
    const target = req.url ?? '/';
    const pathname = target.split('?')[0];
    if (pathname === DATA_URL) {
      if (!data) return fail(res, 404, 'no data set served: start the playground with --data PATH');
      return void sendFile(req, res, data, 'application/gzip');
    }
    const fromWasm = pathname.startsWith('/wasm/');
    const file = resolveRequestPath(fromWasm ? wasm : site, fromWasm ? pathname.slice('/wasm'.length) : pathname);
    if (file === null) return fail(res, 400, 'bad path');
    if (fromWasm && !file.endsWith('.wasm')) return fail(res, 404, 'not found');
    // Without --data the page is told so, rather than asking for the archive (a 404 in its console).
    if (!data && !fromWasm && file === join(site, 'index.html')) return void sendPageWithoutData(req, res, file);
    return void sendFile(req, res, file);
  });
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') reject(new UserError(`cannot serve the playground: port ${options.port} on ${options.host} is in use (choose another with --port)`, EXIT.CANT_CREATE));
      else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') reject(new UserError(`cannot serve the playground: no address ${options.host} on this machine (--host)`, EXIT.USAGE));
      else if (err.code === 'EACCES') reject(new UserError(`cannot serve the playground: port ${options.port} needs privileges (choose one above 1023)`, EXIT.CANT_CREATE));
      else reject(err);
    });
    server.listen(options.port, options.host, () => resolvePromise());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}/`,
    server,
    // close() alone waits for every open connection to end: a stalled client (or a browser's
    // keep-alive socket) would hold Ctrl-C for minutes. Stop accepting, then cut them all.
    close: () =>
      new Promise((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
