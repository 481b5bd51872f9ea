import { extname, join } from 'node:path';

/**
 * The source of a worker thread that runs module `name` of `directory` (the caller's __dirname
 * and __filename): through tsx when running from TypeScript sources, the .js when bundled
 * (`npm start` puts each thread's bundle beside the server's, in dist/server).
 */
export function workerSource(directory: string, callerFile: string, name: string): string {
  const extension = extname(callerFile);
  const entry = JSON.stringify(join(directory, `${name}${extension}`));
  return extension === '.ts' ? `require('tsx/cjs'); require(${entry});` : `require(${entry});`;
}
