import type { Database } from 'better-sqlite3';
import { Worker } from 'node:worker_threads';

/** How often the background thread copies committed pages from the write-ahead log into the file. */
const CHECKPOINT_EVERY_MS = 1000;
/** SQLite's own default, put back if the background thread cannot run. */
const AUTOCHECKPOINT_PAGES = 1000;

// PASSIVE never waits for writers or readers and never blocks them; a busy result (another
// process checkpointing the same file) is left for the next round.
const CHECKPOINTER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const database = new Database(workerData.file, { fileMustExist: true });
const timer = setInterval(() => {
  try {
    database.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    if (error.code !== 'SQLITE_BUSY') throw error;
  }
}, workerData.everyMs);
parentPort.once('message', () => {
  clearInterval(timer);
  database.close();
  parentPort.close();
});
`;

/**
 * Moves `connection`'s checkpoints to a worker thread. SQLite checkpoints from the connection
 * whose commit takes the log past 1,000 pages, synchronously and with an fsync: under a steady
 * write stream on a 1M-relation file that stalled the request thread for 50–200 ms every few
 * seconds. The connection stops checkpointing; the worker does it every second on a connection
 * of its own. If the worker cannot run, the connection checkpoints itself again. Returns a
 * function that stops the worker.
 */
export function checkpointInBackground(connection: Database): () => Promise<void> {
  if (connection.memory || connection.readonly) return async () => undefined;
  connection.pragma('wal_autocheckpoint = 0');
  const worker = new Worker(CHECKPOINTER, {
    eval: true,
    workerData: { driver: require.resolve('better-sqlite3'), file: connection.name, everyMs: CHECKPOINT_EVERY_MS },
  });
  worker.unref();
  let stopping = false;
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      if (!stopping && connection.open) connection.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
      resolve();
    }),
  );
  worker.on('error', () => undefined); // the exit that follows puts the connection's own checkpoints back
  return async () => {
    stopping = true;
    // Unreferenced, the worker would not keep a process with nothing else to do alive until it
    // exits: the process would end with this promise pending, and whatever awaited it never ran.
    worker.ref();
    worker.postMessage('stop');
    await exited;
  };
}
