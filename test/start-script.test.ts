import { execFile } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

// `npm start` runs a bundle of the sources (scripts/start.mjs), rebuilt only when a source it
// holds changed: a stale bundle would serve code other than what the checkout holds.

const root = join(__dirname, '..');
const manifest = join(root, 'dist', 'server', 'inputs.json');
const bundle = join(root, 'dist', 'server', 'main.js');
const run = promisify(execFile);

/** Runs `npm start`'s script with a setting the server refuses, so it exits once the bundle has loaded. */
async function startAndRefuse(): Promise<string> {
  const failed = await run(process.execPath, ['scripts/start.mjs'], { cwd: root, env: { ...process.env, PORT: 'not-a-port' } }).then(
    () => undefined,
    (error: { stderr: string }) => error.stderr,
  );
  if (failed === undefined) throw new Error('the server started with PORT=not-a-port');
  return failed;
}

const stampOf = (file: string) => {
  const { size, mtimeMs } = statSync(join(root, file));
  return `${size}:${mtimeMs}`;
};

it('runs the bundle, and builds it again only after a source it holds changed', async () => {
  expect(await startAndRefuse()).toMatch(/PORT/); // the bundled config module refused it: the bundle ran
  const inputs = JSON.parse(readFileSync(manifest, 'utf8')) as Record<string, string>;
  expect(inputs['src/server/main.ts']).toBe(stampOf('src/server/main.ts'));
  expect(inputs['src/analytics/serving/worker.ts']).toBe(stampOf('src/analytics/serving/worker.ts'));
  expect(inputs['scripts/start.mjs']).toBe(stampOf('scripts/start.mjs')); // its build options
  // Packages load through require(), not Node's ESM loader, which scans each CommonJS file twice first.
  expect(readFileSync(bundle, 'utf8')).not.toMatch(/\bimport\("/);
  const built = statSync(bundle).mtimeMs;

  await startAndRefuse();
  expect(statSync(bundle).mtimeMs).toBe(built);

  // As if src/server/app.ts had been edited since the build.
  writeFileSync(manifest, JSON.stringify({ ...inputs, 'src/server/app.ts': 'edited' }));
  await startAndRefuse();
  expect(statSync(bundle).mtimeMs).toBeGreaterThan(built);
  expect(JSON.parse(readFileSync(manifest, 'utf8'))['src/server/app.ts']).toBe(stampOf('src/server/app.ts'));
}, 60_000);
