import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import type { Plugin } from 'graphql-yoga';

/** Where `npm run build:explorer` (run by `npm install`) writes the explorer page. */
export const EXPLORER_BUILD = join(__dirname, '..', '..', 'dist', 'explorer');
export const EXPLORER_PATH = '/explorer';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * Only the page's own files run, and it talks only to this server. ForceAtlas2's worker is
 * started from a blob: URL (graphology-layout-forceatlas2/worker), hence worker-src blob:.
 */
export const EXPLORER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  'worker-src blob:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': EXPLORER_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

interface StaticFile {
  body: string;
  headers: Record<string, string>;
}

/** Every file of the build, read once: a request can only name one of these, never a path on disk. */
function readBuild(directory: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  const visit = (folder: string) => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) {
        visit(path);
        continue;
      }
      const type = CONTENT_TYPES[extname(name)];
      if (!type) continue;
      const urlPath = `${EXPLORER_PATH}/${relative(directory, path).split('\\').join('/')}`;
      // Vite names assets by their content hash, so they never change; the page itself may.
      const caching = urlPath.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
      files.set(urlPath, { body: readFileSync(path, 'utf8'), headers: { 'content-type': type, 'cache-control': caching, ...SECURITY_HEADERS } });
    }
  };
  visit(directory);
  return files;
}

const NOT_BUILT = 'The explorer is not built: run `npm run build:explorer` (npm install runs it), then restart the server.';

/** Serves the explorer's page and assets at /explorer, from the same server as the API. */
export function useExplorer(directory = EXPLORER_BUILD): Plugin {
  const files = existsSync(join(directory, 'index.html')) ? readBuild(directory) : undefined;
  return {
    onRequest({ url, request, endResponse }) {
      if (url.pathname !== EXPLORER_PATH && !url.pathname.startsWith(`${EXPLORER_PATH}/`)) return;
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        endResponse(new Response('Method not allowed', { status: 405, headers: { allow: 'GET, HEAD', ...SECURITY_HEADERS } }));
        return;
      }
      if (url.pathname === EXPLORER_PATH) {
        endResponse(new Response(null, { status: 308, headers: { location: `${EXPLORER_PATH}/`, ...SECURITY_HEADERS } }));
        return;
      }
      if (!files) {
        endResponse(new Response(NOT_BUILT, { status: 503, headers: { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS } }));
        return;
      }
      const file = files.get(url.pathname === `${EXPLORER_PATH}/` ? `${EXPLORER_PATH}/index.html` : url.pathname);
      endResponse(
        file
          ? new Response(request.method === 'HEAD' ? null : file.body, { status: 200, headers: file.headers })
          : new Response('Not found', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS } }),
      );
    },
  };
}
