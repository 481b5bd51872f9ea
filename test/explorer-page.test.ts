import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXPLORER_BUILD, EXPLORER_CSP } from '../src/server/explorer';
import { app } from './support/graphql';

// The explorer's files as the server sends them: only the build's own files, under a strict Content-Security-Policy.

const get = (path: string, init: RequestInit = {}) => app.fetch(`http://rapport.test${path}`, init);

beforeAll(() => {
  if (!existsSync(join(EXPLORER_BUILD, 'index.html'))) throw new Error('The explorer is not built: run npm run build:explorer (npm install does)');
});

it('redirects /explorer to the page, served with its security headers', async () => {
  const redirect = await get('/explorer', { redirect: 'manual' });
  expect(redirect.status).toBe(308);
  expect(redirect.headers.get('location')).toBe('/explorer/');

  const page = await get('/explorer/');
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(page.headers.get('content-security-policy')).toBe(EXPLORER_CSP);
  expect(page.headers.get('x-content-type-options')).toBe('nosniff');
  expect(page.headers.get('cache-control')).toBe('no-cache');
  const html = await page.text();
  expect(html).toBe(readFileSync(join(EXPLORER_BUILD, 'index.html'), 'utf8'));
  // Everything the page loads comes from this server: no CDN, no inline script.
  expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
});

it('serves the hashed assets the page names, for a year, and nothing else', async () => {
  const html = await (await get('/explorer/')).text();
  const assets = [...html.matchAll(/(?:src|href)="(\/explorer\/assets\/[^"]+)"/g)].map((match) => match[1]);
  expect(assets.some((asset) => asset.endsWith('.js'))).toBe(true);
  for (const asset of assets) {
    const response = await get(asset);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  }
  for (const path of ['/explorer/missing.js', '/explorer/%2e%2e/package.json', '/explorer/..%2fpackage.json', '/explorer/vite.config.mjs']) {
    expect((await get(path)).status).toBe(404);
  }
  expect((await get('/explorer/', { method: 'POST', body: '{}' })).status).toBe(405);
});
