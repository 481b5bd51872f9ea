import { parsePrismaCursor } from '@pothos/plugin-prisma';
import { type GraphQLSchema, defaultFieldResolver, isObjectType } from 'graphql';
import { db } from '../db/client';
import { InvalidInputError } from '../domain/errors';
import type { Prisma } from '../generated/prisma/client';
import type { Context } from './builder';

/** Field extension: the rows a connection lists, so that its cursors are resolved within them. */
export const CURSOR_SCOPE = 'cursorScope';

type Scope =
  | { model: 'consumer'; where: Prisma.ConsumerWhereInput }
  | { model: 'provider'; where: Prisma.ProviderWhereInput }
  | { model: 'relation'; where: Prisma.RelationWhereInput }
  | { model: 'auditEntry'; where: Prisma.AuditEntryWhereInput }
  | { model: 'webhookDelivery'; where: Prisma.WebhookDeliveryWhereInput };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each field's parent and arguments differ
export type CursorScope = (parent: any, args: any, context: Context) => Scope;

/** Field options that resolve the connection's cursors within `scope`. */
export function cursorScope(scope: CursorScope) {
  return { extensions: { [CURSOR_SCOPE]: scope } };
}

const NOT_A_CURSOR = 'is not a cursor of this list: pass a cursor from its edges or pageInfo, or none for the first page';

function countIn(scope: Scope, id: number): Promise<number> {
  switch (scope.model) {
    case 'consumer':
      return db().consumer.count({ where: { AND: [scope.where, { id }] } });
    case 'provider':
      return db().provider.count({ where: { AND: [scope.where, { id }] } });
    case 'relation':
      return db().relation.count({ where: { AND: [scope.where, { id }] } });
    case 'auditEntry':
      return db().auditEntry.count({ where: { AND: [scope.where, { id }] } });
    case 'webhookDelivery':
      return db().webhookDelivery.count({ where: { AND: [scope.where, { id }] } });
  }
}

/** The row ID in a cursor this API issued, or null. */
function idInCursor(cursor: unknown): number | null {
  try {
    const id = parsePrismaCursor(cursor);
    return typeof id === 'number' && Number.isSafeInteger(id) ? id : null;
  } catch {
    return null;
  }
}

/**
 * For the checks before execution: what is wrong with an `after`/`before` value of a scoped
 * connection. A malformed cursor of a nested connection must be refused before its parent's
 * query, which plugin-prisma builds with the cursor in it.
 */
export function malformedCursor(field: { extensions: Record<string, unknown> }, argument: string, value: unknown): string | null {
  if (!field.extensions[CURSOR_SCOPE] || !['after', 'before'].includes(argument) || value == null) return null;
  return idInCursor(value) === null ? NOT_A_CURSOR : null;
}

/** Whether a cursor is one `resolveArrayConnection` issued: an offset, in base64. */
function isOffsetCursor(cursor: string): boolean {
  const decoded = Buffer.from(cursor, 'base64');
  return decoded.toString('base64') === cursor && /^OffsetConnection:\d{1,9}$/.test(decoded.toString());
}

/** Whether the cursor names a row of the connection's list, for a list of rows, or is an offset, for a list in memory. */
async function belongs(cursor: string, scope: Scope | undefined): Promise<boolean> {
  if (!scope) return isOffsetCursor(cursor);
  const id = idInCursor(cursor);
  return id !== null && (await countIn(scope, id)) > 0;
}

/**
 * Checks `after`/`before` of every connection before it resolves: a cursor of a list of rows
 * (`cursorScope`) must name a row of that very list, any other must be an offset this API issued;
 * else the argument gets a typed input error. Prisma positions a page by reading the cursor's
 * row, whatever the filter, so a cursor taken from rows outside the caller's scope would otherwise
 * reveal where those rows sort.
 */
export function scopeCursors(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (!field.args.some((argument) => argument.name === 'after')) continue;
      const scopeOf = field.extensions[CURSOR_SCOPE] as CursorScope | undefined;
      const resolve = field.resolve ?? defaultFieldResolver;
      field.resolve = async (parent, args, context: Context, info) => {
        for (const argument of ['after', 'before']) {
          const cursor = args[argument] as string | null | undefined;
          if (cursor != null && !(await belongs(cursor, scopeOf?.(parent, args, context)))) {
            throw InvalidInputError.of(argument, NOT_A_CURSOR);
          }
        }
        return resolve(parent, args, context, info);
      };
    }
  }
  return schema;
}
