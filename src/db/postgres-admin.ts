import { Client } from 'pg';

/**
 * Creating and dropping whole PostgreSQL databases, for tools that need throw-away ones (the
 * tests, `npm run db:new-migration`). The server is the one POSTGRES_SERVER_URL names, through
 * any database on it the role may connect to.
 */
export function postgresServerUrl(): string {
  return process.env.POSTGRES_SERVER_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
}

/** The URL of database `name` on the server `serverUrl` points at. */
export function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${checkedName(name)}`;
  return url.toString();
}

export async function createDatabase(serverUrl: string, name: string, template?: string): Promise<void> {
  const from = template ? ` TEMPLATE ${checkedName(template)}` : '';
  await onServer(serverUrl, (client) => client.query(`CREATE DATABASE ${checkedName(name)}${from}`));
}

/** Drops every database whose name starts with `prefix`, closing their connections first. */
export async function dropDatabases(serverUrl: string, prefix: string): Promise<void> {
  await onServer(serverUrl, async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE starts_with(datname, $1)',
      [checkedName(prefix)],
    );
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS ${checkedName(datname)} WITH (FORCE)`);
  });
}

async function onServer(serverUrl: string, work: (client: Client) => Promise<unknown>): Promise<void> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}

/** Database names go into SQL as identifiers, so only plain lower-case ones are accepted. */
function checkedName(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`"${name}" is not a plain lower-case database name`);
  return name;
}
