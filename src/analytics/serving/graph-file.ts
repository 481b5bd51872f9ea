import { open, readFile, rename, rm } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import type { StoreImage } from './store';

/**
 * The relation store saved between runs, so that a start reads one file and the changes since
 * instead of every relation. Layout: the magic bytes, the header's length and a CRC-32 of all
 * that follows (4 bytes each, little-endian), the header (JSON: format, position, the image with
 * each typed array replaced by where its bytes are), then the arrays' bytes, each 8-aligned.
 * It holds IDs, kinds, times, amounts and ratings: no names, no contact details.
 */

/** Raised whenever the image's shape or this layout changes: a file of another format is not read. */
const FORMAT = 1;
const MAGIC = 'RAPGRAPH';
const PREFIX_BYTES = 16;
const ALIGNMENT = 8;

/** Where a saved store stands in its database's change log. */
export interface GraphFilePosition {
  /** The last change the store includes. */
  lastChange: number;
  /** Tells that change from another database's change of the same id (changeDigest in db/change-log.ts). */
  lastChangeDigest: string;
  /** When the change log was last read, up to `lastChange`. */
  readAt: number;
}

export interface SavedGraph {
  position: GraphFilePosition;
  image: StoreImage;
}

/** A graph file that cannot be used; the graph is then read from the database. */
export class GraphFileError extends Error {
  constructor(path: string, reason: string) {
    super(`The graph file ${path} is not used: ${reason}`);
    this.name = 'GraphFileError';
  }
}

type Column = Uint8Array | Uint16Array | Int32Array | Float64Array;
const COLUMN_TYPES = { Uint8Array, Uint16Array, Int32Array, Float64Array };
type ColumnType = keyof typeof COLUMN_TYPES;

/** How the header stands for a typed array: its type, length, and offset past the header. */
interface ColumnReference {
  $column: ColumnType;
  length: number;
  offset: number;
}

/** Writes `saved` to `path` whole or not at all (a new file renamed over the old), readable by its owner only. */
export async function writeGraphFile(path: string, saved: SavedGraph): Promise<void> {
  const columns: Column[] = [];
  let columnBytes = 0;
  const header = Buffer.from(
    JSON.stringify({ format: FORMAT, ...saved }, (_key, value: unknown) => {
      if (!ArrayBuffer.isView(value)) return value;
      const column = value as Column;
      const reference: ColumnReference = { $column: column.constructor.name as ColumnType, length: column.length, offset: columnBytes };
      columns.push(column);
      columnBytes += aligned(column.byteLength);
      return reference;
    }),
  );
  const chunks = [header, padding(header.length), ...columns.flatMap((column) => [bytesOf(column), padding(column.byteLength)])];
  const prefix = Buffer.alloc(PREFIX_BYTES);
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(header.length, 8);
  prefix.writeUInt32LE(chunks.reduce((crc, chunk) => crc32(chunk, crc), 0), 12);

  const temporary = `${path}.${process.pid}.tmp`;
  try {
    const handle = await open(temporary, 'w', 0o600);
    try {
      await handle.writev([prefix, ...chunks]);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** The graph saved at `path`, or undefined when there is none; a GraphFileError when it cannot be used. */
export async function readGraphFile(path: string): Promise<SavedGraph | undefined> {
  let file: Buffer;
  try {
    file = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new GraphFileError(path, `it cannot be read (${(error as Error).message})`);
  }
  if (file.length < PREFIX_BYTES || file.toString('latin1', 0, MAGIC.length) !== MAGIC) throw new GraphFileError(path, 'it is not a Rapport graph file');
  const headerLength = file.readUInt32LE(8);
  if (crc32(file.subarray(PREFIX_BYTES)) !== file.readUInt32LE(12)) throw new GraphFileError(path, 'its checksum does not match: it is damaged or cut short');
  const columnsStart = PREFIX_BYTES + aligned(headerLength);
  const { format, ...saved } = JSON.parse(file.toString('utf8', PREFIX_BYTES, PREFIX_BYTES + headerLength), (_key, value: unknown) =>
    isColumnReference(value) ? columnOf(file, columnsStart, value, path) : value,
  ) as SavedGraph & { format: number };
  if (format !== FORMAT) throw new GraphFileError(path, `it is in format ${format}, and this version of Rapport reads format ${FORMAT}`);
  return saved;
}

function isColumnReference(value: unknown): value is ColumnReference {
  return typeof value === 'object' && value !== null && '$column' in value;
}

/** The column's bytes in place when they are aligned for its type (they are when the file has a buffer of its own), else a copy. */
function columnOf(file: Buffer, columnsStart: number, { $column, length, offset }: ColumnReference, path: string): Column {
  const Type = COLUMN_TYPES[$column];
  if (!Type) throw new GraphFileError(path, `it holds a column of unknown type ${$column}`);
  const start = file.byteOffset + columnsStart + offset;
  if (columnsStart + offset + length * Type.BYTES_PER_ELEMENT > file.length) throw new GraphFileError(path, 'a column runs past its end');
  const bytes = file.buffer as ArrayBuffer; // readFile's buffers are never shared
  if (start % Type.BYTES_PER_ELEMENT === 0) return new Type(bytes, start, length);
  return new Type(bytes.slice(start, start + length * Type.BYTES_PER_ELEMENT));
}

function bytesOf(column: Column): Uint8Array {
  return new Uint8Array(column.buffer, column.byteOffset, column.byteLength);
}

function aligned(bytes: number): number {
  return Math.ceil(bytes / ALIGNMENT) * ALIGNMENT;
}

function padding(bytes: number): Buffer {
  return Buffer.alloc(aligned(bytes) - bytes);
}
