import Database from 'better-sqlite3';
import { pgDriver } from './pg-driver';
import { config } from '../config';
import { dialectOf, sqliteFilePath } from './dialect';

/**
 * The database driver itself, beside Prisma, for the hot reads where Prisma's per-query cost
 * would dominate: prepared statements on a read-only better-sqlite3 connection, or on a small pg
 * pool. Statements are written with PostgreSQL's `$1` placeholders; SQLite's `?` are derived.
 */
export interface DriverReader {
  /** The rows of a read, as arrays of column values in the order the SQL names them. */
  rows<Row extends unknown[]>(statement: PreparedRead, params?: unknown[]): Promise<Row[]>;
  /**
   * The rows of several reads, each as `rows` gives them. On SQLite they share one read
   * transaction: one snapshot, and one round of the write-ahead log's locks instead of one per
   * read (the locks cost more than a short read). On PostgreSQL they run side by side.
   */
  rowsOfEach(reads: Read[]): Promise<unknown[][][]>;
  close(): Promise<void>;
}

/** A read whose plan each connection prepares once, named for PostgreSQL. */
export interface PreparedRead {
  name: string;
  sql: string;
}

export type Read = [statement: PreparedRead, params: unknown[]];

/** better-sqlite3 binds `?` by position: each `$n` becomes a `?`, and the values follow that order. */
function sqliteStatement(database: Database.Database, sql: string) {
  const order: number[] = [];
  const statement = database.prepare(sql.replace(/\$(\d+)/g, (_, n: string) => (order.push(Number(n) - 1), '?'))).raw();
  return (params: unknown[]) => statement.all(...order.map((index) => params[index])) as unknown[][];
}

function sqliteReader(databaseUrl: string): DriverReader {
  const database = new Database(sqliteFilePath(databaseUrl), { readonly: true, fileMustExist: true });
  const statements = new Map<string, (params: unknown[]) => unknown[][]>();
  const run = ({ name, sql }: PreparedRead, params: unknown[]) => {
    let statement = statements.get(name);
    if (!statement) statements.set(name, (statement = sqliteStatement(database, sql)));
    return statement(params);
  };
  const inOneTransaction = database.transaction((reads: Read[]) => reads.map(([statement, params]) => run(statement, params)));
  return {
    rows: async <Row extends unknown[]>(statement: PreparedRead, params: unknown[] = []) => run(statement, params) as Row[],
    rowsOfEach: async (reads) => inOneTransaction(reads),
    close: async () => void database.close(),
  };
}

/** Few connections: these reads are short, and Prisma's adapter keeps its own pool. */
const POSTGRES_CONNECTIONS = 4;

function postgresReader(databaseUrl: string): DriverReader {
  const pool = new (pgDriver().Pool)({ connectionString: databaseUrl, max: POSTGRES_CONNECTIONS });
  const rows = async <Row extends unknown[]>({ name, sql }: PreparedRead, params: unknown[] = []) =>
    (await pool.query<Row>({ name, text: sql, values: params, rowMode: 'array' })).rows;
  return {
    rows,
    rowsOfEach: (reads) => Promise.all(reads.map(([statement, params]) => rows(statement, params))),
    close: () => pool.end(),
  };
}

export function createDriverReader(databaseUrl: string): DriverReader {
  return dialectOf(databaseUrl) === 'postgres' ? postgresReader(databaseUrl) : sqliteReader(databaseUrl);
}

let reader: DriverReader | undefined;

/** The process's driver reader over the configured database, created on first use. */
export function driver(): DriverReader {
  reader ??= createDriverReader(config().databaseUrl);
  return reader;
}

export async function closeDriver(): Promise<void> {
  await reader?.close();
  reader = undefined;
}
