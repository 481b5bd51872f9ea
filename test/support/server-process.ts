import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
/** What `npm start` runs, relative to the project's root. */
export const SERVER_SCRIPT = 'scripts/start.mjs';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface ServerProcess {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
}

/** SERVER_CPU_PROFILE_DIR=dir writes a CPU profile of each server a test or bench starts (NODE_OPTIONS may not carry --cpu-prof). */
function profiling(): string[] {
  const directory = process.env.SERVER_CPU_PROFILE_DIR;
  return directory ? ['--cpu-prof', '--cpu-prof-dir', directory] : [];
}

/** Starts `npm start`'s entry point in a child process, as a newcomer would. An undefined variable is unset. */
export function startServer(env: Record<string, string | undefined>): ServerProcess {
  // Tests make requests from one address faster than a client should; rate limits have their own tests.
  const unlimited = { RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '1000000', CONCURRENT_REQUESTS_PER_ADDRESS: '1000' };
  const merged = Object.entries({ ...process.env, LOG_LEVEL: 'info', ...unlimited, ...env }).filter(([, value]) => value !== undefined);
  // node itself, not npm: npm runs the server in a second process, which a SIGKILL to the first
  // would leave running (and holding this process's pipes).
  const child = spawn(process.execPath, [...profiling(), SERVER_SCRIPT], {
    cwd: root,
    env: Object.fromEntries(merged),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { child, output: () => output, exited };
}

/** Waits until the server has printed `text`, or fails with what it printed. */
export async function waitForOutput(server: ServerProcess, text: string, timeoutMs = 30000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!server.output().includes(text)) {
    if (server.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`The server did not print "${text}":\n${server.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Waits until the server's log says it is listening (benches at a million relations on a busy machine wait longer). */
export function waitUntilServing(server: ServerProcess, timeoutMs?: number): Promise<void> {
  return waitForOutput(server, 'is serving GraphQL', timeoutMs);
}

/** The admin key a first start prints for the operator (README), if it printed one. */
export function printedAdminKey(server: ServerProcess): string | undefined {
  return /"Authorization": "Bearer (rpk_\S+)"/.exec(server.output())?.[1];
}
