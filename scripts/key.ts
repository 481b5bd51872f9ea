import { parseArgs } from 'node:util';
import { decodeGlobalID } from '@pothos/plugin-relay';
import { createApiKey, listApiKeys, revokeApiKey } from '../src/auth/keys';
import { hasPrismaCode } from '../src/domain/prisma-errors';
import type { Role } from '../src/generated/prisma/client';
import { UsageError, runScript } from './run-script';

class NotMigratedError extends Error {
  constructor() {
    super('this database has no API key table yet: run `npm run db:migrate` or start the server once');
  }
}

const USAGE = `Usage:
  npm run key -- create --role admin [--label TEXT]
  npm run key -- create --role provider --provider ID [--label TEXT]
  npm run key -- create --role consumer --consumer ID [--label TEXT]
  npm run key -- list
  npm run key -- revoke KEY_ID
ID is a GraphQL ID (e.g. UHJvdmlkZXI6MQ==) or a database number; KEY_ID is the number in the list.`;


/** A database ID from a GraphQL global ID of the given type, or from a plain number. */
function databaseId(value: string | undefined, typename: string, option: string): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  try {
    const decoded = decodeGlobalID(value);
    if (decoded.typename === typename && /^\d+$/.test(decoded.id)) return Number(decoded.id);
  } catch {
    // reported below
  }
  throw new UsageError(`--${option} ${value} is not the ID of a ${typename}`);
}

const ROLES: Record<string, Role> = { admin: 'ADMIN', provider: 'PROVIDER', consumer: 'CONSUMER' };

async function create(options: Record<string, string | undefined>) {
  const role = ROLES[options.role?.toLowerCase() ?? ''];
  if (!role) throw new UsageError('--role must be admin, provider or consumer');
  const { secret, apiKey } = await createApiKey({
    role,
    providerId: databaseId(options.provider, 'Provider', 'provider'),
    consumerId: databaseId(options.consumer, 'Consumer', 'consumer'),
    label: options.label,
  });
  console.log(`Created key ${apiKey.id} (${role.toLowerCase()}). Its secret is shown only now:\n\n    ${secret}\n`);
  console.log('Send it as the header  Authorization: Bearer <secret>');
}

async function list() {
  const keys = await listApiKeys();
  if (keys.length === 0) console.log('No API keys.');
  for (const key of keys) {
    const subject = key.providerId ?? key.consumerId;
    const state = key.revokedAt ? `revoked ${key.revokedAt.toISOString()}` : 'active';
    console.log(`${key.id}\t${key.role.toLowerCase()}${subject ? ` ${subject}` : ''}\t${key.prefix}…\t${state}\t${key.label ?? ''}`);
  }
}

async function revoke(id: string | undefined) {
  if (!id || !/^\d+$/.test(id)) throw new UsageError('revoke needs the number of a key from the list');
  const key = await revokeApiKey(Number(id));
  console.log(`Key ${key.id} is revoked; requests with it are refused from now on.`);
}

async function main() {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: { role: { type: 'string' }, provider: { type: 'string' }, consumer: { type: 'string' }, label: { type: 'string' } },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { positionals, values } = parsed;
  const [command, argument] = positionals;
  if (command === 'create') await create(values);
  else if (command === 'list') await list();
  else if (command === 'revoke') await revoke(argument);
  else throw new UsageError(command ? `Unknown command ${command}` : 'Which command?');
}

runScript('key', async () => {
  try {
    await main();
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(`${error.message}\n\n${USAGE}`);
    if (hasPrismaCode(error, 'P2021')) throw new NotMigratedError();
    throw error;
  }
}, [NotMigratedError]);
