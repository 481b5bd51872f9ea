import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, printedAdminKey, startServer, waitUntilServing } from '../support/server-process';

const root = join(__dirname, '..', '..');
const run = promisify(execFile);
const tsc = (project: string) => run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project], { cwd: root });

describe('the typed example client', () => {
  it('is generated from the committed schema.graphql and is current (`npm run codegen` rewrites it)', async () => {
    // codegen's --check regenerates in memory and exits 1, naming the files, when a committed one differs.
    const cli = join(root, 'node_modules', '@graphql-codegen', 'cli', 'cjs', 'bin.js');
    const check = await run(process.execPath, [cli, '--config', 'codegen.ts', '--check'], { cwd: root }).then(
      () => 'current',
      (error: { stdout: string; stderr: string }) => `stale or failing:\n${error.stdout}${error.stderr}`,
    );
    expect(check).toBe('current');
  });

  it('type-checks, and the compiler refuses variables the schema does not allow', async () => {
    await expect(tsc('examples/client')).resolves.toBeDefined();

    // Inside the repository, so that the compiler finds the same type packages as the example.
    mkdirSync(join(root, '.tmp'), { recursive: true });
    const misuse = mkdtempSync(join(root, '.tmp', 'client-misuse-'));
    writeFileSync(
      join(misuse, 'misuse.ts'),
      `import { RecordPurchase } from ${JSON.stringify(join(root, 'examples', 'client', 'operations'))};
import { request } from ${JSON.stringify(join(root, 'examples', 'client', 'request'))};
void request({ url: 'http://localhost/graphql' }, RecordPurchase, { consumerId: 'c', providerId: 'p', amountMinor: '19.99', currency: 'EUR', occurredAt: '' });\n`,
    );
    writeFileSync(
      join(misuse, 'tsconfig.json'),
      JSON.stringify({ extends: join(root, 'examples', 'client', 'tsconfig.json'), include: ['.'] }),
    );
    const failure = await tsc(misuse).then(
      () => 'compiled',
      (error: { stdout: string }) => error.stdout,
    );
    expect(failure).toMatch(/misuse\.ts.*error TS2322: Type 'string' is not assignable to type 'number'/s);
  });

  it('runs against a real server: finds a consumer, records a purchase, gets recommendations', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rapport-client-'));
    const port = await freePort();
    const server = startServer({ PORT: String(port), DATABASE_URL: `file:${join(dataDir, 'rapport.db')}`, PII_KEYS: undefined });
    try {
      await waitUntilServing(server);
      // The admin key a first start prints; a provider's or consumer's app would use its own.
      const apiKey = printedAdminKey(server)!;
      const url = `http://127.0.0.1:${port}/graphql`;
      const tsx = join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
      const { stdout } = await run(process.execPath, [tsx, 'examples/client/main.ts', url, 'Ada', 'Lumen'], {
        cwd: root,
        env: { ...process.env, RAPPORT_API_KEY: apiKey },
      });

      expect(stdout).toMatch(/^consumer: Ada Lovelace \(\S+\); provider: Lumen Books \(\S+\)$/m);
      expect(stdout).toMatch(/^recorded: PURCHASE 1999 EUR \(\S+\)$/m);
      expect(stdout.match(/^recommended: .+ \((COLLABORATIVE|POPULAR)\): .+$/gm)).toHaveLength(3);

      const relationId = stdout.match(/^recorded: .* \((\S+)\)$/m)![1];
      const check = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
        body: JSON.stringify({ query: `{ node(id: "${relationId}") { ... on Relation { kind amountMinor consumer { name } provider { name } } } }` }),
      });
      expect((await check.json()).data.node).toEqual({
        kind: 'PURCHASE',
        amountMinor: 1999,
        consumer: { name: 'Ada Lovelace' },
        provider: { name: 'Lumen Books' },
      });
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });
});
