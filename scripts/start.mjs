// `npm start`: runs the server from one bundle of its TypeScript sources, built with esbuild.
//
// Loading the sources module by module through tsx's hooks cost about a second of every start,
// and building the bundle 0.3 s: so the bundle is built again only when a source it holds
// changed since (by size and modification time), and a start from a current bundle loads it at
// once (docs/performance.md, issue 11's seventh round). Packages stay in node_modules.
import { mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'server');
const manifest = join(outdir, 'inputs.json');
/** Besides the sources: what decides how they compile, this script's build options included. */
const SETTINGS = ['tsconfig.json', 'package.json', 'scripts/start.mjs'];

// The server and the modules its worker threads run, side by side: `workerSource` finds a
// thread's module beside the file that starts it, and the server finds the project's folders
// (migrations, the explorer's build) two levels up, as it does from `src/server/`.
const ENTRY_POINTS = ['src/server/main.ts', 'src/analytics/serving/worker.ts', 'src/db/sqlite-snapshot-thread.ts'];

if (!bundleIsCurrent()) await bundle();
process.setSourceMapsEnabled(true);
// Prisma's query compiler is WebAssembly, and V8 recompiles its hot functions optimized on background
// threads: at start, that took a core from the graph read. Its plans are cached by query shape, so
// the baseline compiler's code serves the few compiles that follow (docs/performance.md).
setFlagsFromString('--liftoff-only');
createRequire(import.meta.url)(join(outdir, 'main.js'));

function bundleIsCurrent() {
  let inputs;
  try {
    inputs = JSON.parse(readFileSync(manifest, 'utf8'));
  } catch {
    return false;
  }
  // A manifest that does not stamp every setting was written by an older version of this script.
  return SETTINGS.every((file) => file in inputs) && Object.entries(inputs).every(([file, stamp]) => stampOf(file) === stamp);
}

async function bundle() {
  // Stamped before the build: a source saved while it runs makes the next start build again.
  const stamps = new Map([...sourceFiles(), ...SETTINGS].map((file) => [file, stampOf(file)]));
  const { build } = await import('esbuild');
  const { outputFiles, metafile } = await build({
    absWorkingDir: root,
    entryPoints: ENTRY_POINTS,
    outdir,
    entryNames: '[name]',
    bundle: true,
    packages: 'external',
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    keepNames: true,
    // import() of a package becomes a require(): Node's ESM loader would first scan a CommonJS file
    // for ESM syntax and for its exports, and Prisma's query compiler is one of 4.4 MB (0.1 s of a start).
    supported: { 'dynamic-import': false },
    sourcemap: 'linked',
    logLevel: 'warning',
    metafile: true,
    write: false,
  });
  mkdirSync(outdir, { recursive: true });
  for (const file of outputFiles) writeWhole(file.path, file.contents);
  const inputs = [...Object.keys(metafile.inputs), ...SETTINGS].map((file) => [file, stamps.get(file) ?? stampOf(file)]);
  writeWhole(manifest, JSON.stringify(Object.fromEntries(inputs)));
}

function sourceFiles() {
  return readdirSync(join(root, 'src'), { recursive: true }).map((file) => relative(root, join(root, 'src', file)));
}

function stampOf(file) {
  try {
    const { size, mtimeMs } = statSync(join(root, file));
    return `${size}:${mtimeMs}`;
  } catch {
    return 'missing';
  }
}

/** Servers started side by side (tests, benches) never load a half-written file: each is replaced whole. */
function writeWhole(path, contents) {
  const partial = `${path}.${process.pid}.partial`;
  writeFileSync(partial, contents);
  renameSync(partial, path);
}
