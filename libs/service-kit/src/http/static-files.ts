// Serves a built single-page client (the web app's dist folder) over plain node:http: files by
// path, index.html for any other path (client-side routing), long caching for Vite's hashed
// assets, never a file outside the folder. Used by the gateway (WEB_ROOT, in the images) and by
// `npm start`'s front door.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

function answer(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify({ error: { code, message } }));
}

/** The file a request path names inside `root`, index.html when it names none, undefined for a malformed path. */
export function staticFileFor(root: string, url: string): string | undefined {
  let path: string;
  try {
    path = decodeURIComponent(url.split('?')[0] ?? '/');
  } catch {
    return undefined;
  }
  if (path.includes('\0')) return undefined;
  const base = resolve(root);
  const file = normalize(join(base, path));
  const inside = file.startsWith(base.endsWith(sep) ? base : base + sep);
  return inside && existsSync(file) && statSync(file).isFile() ? file : join(base, 'index.html');
}

/** Answers a GET or HEAD from `root`; anything else is `invalid` (405). */
export function serveStaticFile(root: string, req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    answer(res, 405, 'invalid', `${String(req.method)} is not allowed here`);
    return;
  }
  const file = staticFileFor(root, req.url ?? '/');
  if (file === undefined) {
    answer(res, 400, 'invalid', 'malformed path');
    return;
  }
  if (!existsSync(file)) {
    answer(res, 404, 'not_found', 'the web client is not built (npm start builds it)');
    return;
  }
  const immutable = file.includes(`${sep}assets${sep}`);
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    'x-content-type-options': 'nosniff',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}
