import { PrismaBetterSQLite3 } from 'prisma-adapter-better-sqlite3-6';
import { PrismaPg } from 'prisma-adapter-pg-6';
import pg from 'pg';
import { dialectOf } from './dialect';

/**
 * PostgreSQL's catalog types that @prisma/adapter-pg 6.19 cannot map, which the schema engine's
 * introspection reads (prisma/prisma#27403: migrate fails with "Column type 'name' could not be
 * deserialized"). They are text, so the CLI's connections report them as text.
 */
const CATALOG_TEXT_TYPES: Record<number, number> = { 18: 25, 19: 25, 1002: 1009, 1003: 1009 }; // "char", name, and their arrays

type QueryResult = { fields?: { dataTypeID: number }[] };

function reportCatalogTypesAsText(result: QueryResult | QueryResult[]): void {
  for (const { fields = [] } of [result].flat()) {
    for (const field of fields) field.dataTypeID = CATALOG_TEXT_TYPES[field.dataTypeID] ?? field.dataTypeID;
  }
}

class CatalogTextClient extends pg.Client {
  // pg's overloads cannot be re-declared one by one. A pool calls with a callback, a client alone
  // returns a promise.
  query(...args: any[]): any {
    const last = args.length - 1;
    if (typeof args[last] === 'function') {
      const callback = args[last];
      args[last] = (error: Error | null, result: QueryResult) => {
        if (result) reportCatalogTypesAsText(result);
        callback(error, result);
      };
    }
    const result = (super.query as (...args: any[]) => any)(...args);
    return result instanceof Promise ? result.then((rows: QueryResult) => (reportCatalogTypesAsText(rows), rows)) : result;
  }
}

interface ScriptRunner {
  client: { query(sql: string): Promise<unknown> };
  onError(error: unknown): never;
  executeScript(script: string): Promise<void>;
}

/**
 * @prisma/adapter-pg 6.19 runs a migration script by splitting it at every `;`, which cuts
 * function bodies (`$$ … $$`, as in the audit log's trigger) apart. PostgreSQL runs a whole
 * multi-statement script in one simple query, so the CLI's adapter sends it whole.
 */
class WholeScriptPg extends PrismaPg {
  async connect() {
    const adapter = await super.connect();
    const runner = adapter as unknown as ScriptRunner;
    runner.executeScript = async (script) => {
      try {
        await runner.client.query(script);
      } catch (error) {
        runner.onError(error);
      }
    };
    return adapter;
  }
}

/** The driver adapter the Prisma CLI (db pull, migrate diff) of `npm run db:new-migration` uses for `databaseUrl`. */
export function migrationAdapter(databaseUrl: string) {
  return dialectOf(databaseUrl) === 'postgres'
    ? new WholeScriptPg({ connectionString: databaseUrl, Client: CatalogTextClient, allowExitOnIdle: true })
    : new PrismaBetterSQLite3({ url: databaseUrl });
}
