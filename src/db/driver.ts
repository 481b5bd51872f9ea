import Database from 'better-sqlite3';
import pg from 'pg';
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
  close(): Promise<void>;
}

/** A read whose plan each connection prepares once, named for PostgreSQL. */
export interface PreparedRead {
  name: string;
  sql: string;
}

/** better-sqlite3 binds `?` by position: each `$n` becomes a `?`, and the values follow that order. */
function sqliteStatement(database: Database.Database, sql: string) {
  const order: number[] = [];
  const statement = database.prepare(sql.replace(/\$(\d+)/g, (_, n: string) => (order.push(Number(n) - 1), '?'))).raw();
  return (params: unknown[]) => statement.all(...order.map((index) => params[index]));
}

function sqliteReader(databaseUrl: string): DriverReader {
  const database = new Database(sqliteFilePath(databaseUrl), { readonly: true, fileMustExist: true });
  const statements = new Map<string, (params: unknown[]) => unknown[]>();
  return {
    rows: async <Row extends unknown[]>({ name, sql }: PreparedRead, params: unknown[] = []) => {
      let run = statements.get(name);
      if (!run) statements.set(name, (run = sqliteStatement(database, sql)));
      return run(params) as Row[];
    },
    close: async () => void database.close(),
  };
}

/** Few connections: these reads are short, and Prisma's adapter keeps its own pool. */
const POSTGRES_CONNECTIONS = 4;

function postgresReader(databaseUrl: string): DriverReader {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: POSTGRES_CONNECTIONS });
  return {
    rows: async <Row extends unknown[]>({ name, sql }: PreparedRead, params: unknown[] = []) =>
      (await pool.query<Row>({ name, text: sql, values: params, rowMode: 'array' })).rows,
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
