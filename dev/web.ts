// The web app: built once with Vite into static files, then served with a strict Content-Security-Policy.
// The same files go to S3 + CloudFront in the cloud; config.json (API URL, LUZ_TZ) is written where they are served.
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { stopGroup, stopOnAbort } from './offline';

export const WEB_ROOT = resolve('web');

export interface WebConfig {
  /** Base URL of the HTTP API, no trailing slash. */
  api: string;
  timeZone: string;
}

/**
 * Builds web/ (or another Vite `root`: the bench's libraries-only page) into `outDir` (default web/dist) with Vite's own command, in a child process: Vite is
 * an ES module only, and the tests' CommonJS runtime (jest) cannot import it.
 */
export async function buildWeb(outDir = join(WEB_ROOT, 'dist'), signal?: AbortSignal, root = WEB_ROOT): Promise<string> {
  signal?.throwIfAborted();
  const vite = resolve('node_modules/vite/bin/vite.js');
  const args = [vite, 'build', root, '--outDir', outDir, '--emptyOutDir', '--base', './', '--logLevel', 'warn'];
  // Its own process group, so aborting (npm start stopping) takes its workers too.
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((done) => child.once('exit', done));
  const unlisten = stopOnAbort(signal, () => stopGroup(child));
  const code = await exited.finally(unlisten);
  signal?.throwIfAborted();
  if (code !== 0) throw new Error(`building the web app failed (vite exit ${code}):\n${output}`);
  return outDir;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/** Nothing but the app's own files and the API: no inline script, no third-party origin, no framing. */
export function contentSecurityPolicy(apiUrl: string): string {
  const api = new URL(apiUrl).origin;
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    `connect-src 'self' ${api}`,
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "object-src 'none'",
  ].join('; ');
}

export interface RunningWeb {
  url: string;
  server: Server;
  stop(): Promise<void>;
}

/** Serves `dir` on `port` (0: any free one) with /config.json telling the app where the API is. */
export function serveWeb(options: { dir: string; port: number; host?: string; config: WebConfig }): Promise<RunningWeb> {
  const headers = {
    'content-security-policy': contentSecurityPolicy(options.config.api),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };
  const configBody = JSON.stringify(options.config);
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', ...headers }).end();
      return;
    }
    if (path === '/config.json') {
      response.writeHead(200, { 'content-type': TYPES['.json'], 'cache-control': 'no-store', ...headers }).end(configBody);
      return;
    }
    const file = normalize(join(options.dir, path === '/' ? 'index.html' : path));
    if (!file.startsWith(options.dir) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', ...headers }).end('not found');
      return;
    }
    // Hashed asset names never change content; index.html must always be fetched again.
    const cache = path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': cache, ...headers });
    createReadStream(file).pipe(response);
  });
  return new Promise((ready, fail) => {
    server.once('error', fail);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      const address = server.address() as { port: number };
      ready({
        url: `http://localhost:${address.port}`,
        server,
        stop: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}
