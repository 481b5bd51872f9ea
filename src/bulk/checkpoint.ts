import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';

/**
 * Where an import of one CSV file stands, kept in a small JSON file next to it
 * (`relations.csv.checkpoint`) so that an interrupted import resumes where it stopped.
 *
 * A batch is recorded as `pending` before its transaction commits and as `committed` after.
 * Interrupted in between, the next run asks the database whether the pending batch is there
 * (its relations carry its `stamp` as createdAt), so no batch is stored twice or lost.
 */

export interface ImportPosition {
  /** The last CSV line accounted for: stored or rejected. */
  line: number;
  imported: number;
  rejected: number;
  /** Size of the rejects file holding the rejects up to `line`. */
  rejectsSize: number;
  /** The createdAt of the last batch, in milliseconds; each batch's is later than the one before. */
  stamp: number;
}

export interface PendingBatch extends ImportPosition {
  /** Relations in the batch. */
  size: number;
}

interface SourceIdentity {
  size: number;
  mtimeMs: number;
}

interface CheckpointFile {
  source: SourceIdentity;
  committed: ImportPosition;
  pending: PendingBatch | null;
}

export const START: ImportPosition = { line: 1, imported: 0, rejected: 0, rejectsSize: 0, stamp: 0 };

export class CheckpointMismatchError extends Error {
  constructor(csvPath: string, checkpointPath: string) {
    super(
      `${csvPath} changed since the import that wrote ${checkpointPath}; ` +
        'delete the checkpoint to import the new file from its first line.',
    );
    this.name = 'CheckpointMismatchError';
  }
}

export class Checkpoint {
  readonly path: string;
  private readonly source: SourceIdentity;

  constructor(private readonly csvPath: string) {
    this.path = `${csvPath}.checkpoint`;
    const { size, mtimeMs } = statSync(csvPath);
    this.source = { size, mtimeMs };
  }

  /** The saved state, or null before the first batch of this file. */
  read(): { committed: ImportPosition; pending: PendingBatch | null } | null {
    if (!existsSync(this.path)) return null;
    const saved = JSON.parse(readFileSync(this.path, 'utf8')) as CheckpointFile;
    if (saved.source.size !== this.source.size || saved.source.mtimeMs !== this.source.mtimeMs) {
      throw new CheckpointMismatchError(this.csvPath, this.path);
    }
    return { committed: saved.committed, pending: saved.pending };
  }

  save(committed: ImportPosition, pending: PendingBatch | null = null): void {
    writeDurably(this.path, JSON.stringify({ source: this.source, committed, pending } satisfies CheckpointFile));
  }
}

/** Replaces the file's content atomically: a crash leaves the old content or the new, never half. */
function writeDurably(path: string, content: string): void {
  const temporary = `${path}.tmp`;
  const fd = openSync(temporary, 'w');
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
}
