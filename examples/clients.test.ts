import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, printedAdminKey, startServer, waitUntilServing } from '../test/support/server-process';

/**
 * Each client example runs its own tests (`npm test` in its folder: compile, type-check, then
 * node:test against RAPPORT_URL) against a Rapport server started here on a fresh database, with
 * the admin key that server prints. The counts make a silently dropped test fail here.
 */
const EXAMPLES = { relay: 5, apollo: 4, urql: 3 };

const run = promisify(execFile);

describe.each(Object.entries(EXAMPLES))('examples/%s', (name, testCount) => {
  const folder = join(__dirname, name);

  it(`passes its ${testCount} tests against a live server`, async () => {
    if (!existsSync(join(folder, 'node_modules'))) {
      throw new Error(`examples/${name} is not installed: run \`npm ci --prefix examples/${name}\``);
    }
    const port = await freePort();
    const database = join(mkdtempSync(join(tmpdir(), `rapport-${name}-`)), 'rapport.db');
    const server = startServer({ PORT: String(port), DATABASE_URL: `file:${database}`, PII_KEYS: undefined });
    try {
      await waitUntilServing(server);
      const env = { ...process.env, RAPPORT_URL: `http://127.0.0.1:${port}/graphql`, RAPPORT_API_KEY: printedAdminKey(server) };
      const { stdout } = await run('npm', ['test'], { cwd: folder, env }).catch((error: { stdout: string; stderr: string }) => {
        throw new Error(`examples/${name} failed:\n${error.stdout}\n${error.stderr}`);
      });
      expect(stdout).toMatch(new RegExp(`^# pass ${testCount}$`, 'm'));
      expect(stdout).toMatch(/^# fail 0$/m);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });
});
