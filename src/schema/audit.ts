import { decodeGlobalID } from '@pothos/plugin-relay';
import {
  GraphQLID,
  type GraphQLInputType,
  GraphQLInputObjectType,
  GraphQLList,
  type GraphQLSchema,
  defaultFieldResolver,
  getNullableType,
} from 'graphql';
import { failedAccess, recordAudit, withPendingAudit } from '../domain/audit';
import type { Context } from './builder';

/** Field extension naming the type of entity a mutation creates, so the log can name the new ID. */
export const AUDIT_CREATES = 'auditCreates';

const AUDITED_TYPES = new Set(['Consumer', 'Provider', 'Relation', 'WebhookEndpoint']);

/**
 * An argument's ID as the log keeps it: only a global ID of a known type. Anything else (a typo,
 * a pasted email, a megabyte of junk from an anonymous caller) must not enter an append-only table.
 */
function auditableId(id: string): string {
  try {
    const { typename } = decodeGlobalID(id);
    if (id.length <= 64 && AUDITED_TYPES.has(typename)) return id;
  } catch {
    // not a global ID
  }
  return '(not an ID)';
}

/** The ID values anywhere in an argument value, found through the argument's GraphQL type. */
function idsIn(value: unknown, type: GraphQLInputType): string[] {
  const nullable = getNullableType(type);
  if (value == null) return [];
  if (nullable instanceof GraphQLList) return Array.isArray(value) ? value.flatMap((item) => idsIn(item, nullable.ofType)) : [];
  if (nullable === GraphQLID) return [auditableId(String(value))];
  if (nullable instanceof GraphQLInputObjectType) {
    return Object.values(nullable.getFields()).flatMap((field) => idsIn((value as Record<string, unknown>)[field.name], field.type));
  }
  return [];
}

/**
 * The name of the error a resolver returned, if it returned one. plugin-errors hands errors back
 * as proxies that fail `instanceof Error` but keep their constructor.
 */
function returnedErrorName(result: unknown): string | null {
  const constructor = (result as { constructor?: unknown } | null)?.constructor;
  return typeof constructor === 'function' && constructor.prototype instanceof Error ? constructor.name : null;
}

/**
 * Wraps every mutation so that each attempt, allowed or refused, succeeded or failed, is audited:
 * a successful write appends its entry in its own transaction (`auditedTransaction`), so a failed
 * audit write fails the write with it; a refused or failed attempt is appended afterwards.
 * Anonymous attempts are only counted, per address and minute: nobody can fill the log without a key.
 */
export function auditMutations(schema: GraphQLSchema): GraphQLSchema {
  for (const field of Object.values(schema.getMutationType()?.getFields() ?? {})) {
    const resolve = field.resolve ?? defaultFieldResolver;
    const creates = field.extensions[AUDIT_CREATES] as string | undefined;
    field.resolve = async (root, args, context: Context, info) => {
      const { caller } = context;
      const targetIds = field.args.flatMap((arg) => idsIn(args[arg.name], arg.type));
      const audit = { caller, operation: field.name, targetIds, creates };
      let outcome = 'Error';
      try {
        const { result, written } = await withPendingAudit(audit, () => resolve(root, args, context, info) as Promise<unknown>);
        outcome = returnedErrorName(result) ?? (written ? 'written' : 'OK');
        return result;
      } catch (error) {
        outcome = error instanceof Error ? error.name : 'Error';
        throw error;
      } finally {
        if (caller.role === 'ANONYMOUS') failedAccess.record(context.clientAddress, 'ANONYMOUS_MUTATION');
        else if (outcome !== 'written') await recordAudit({ caller, operation: field.name, targetIds, outcome });
      }
    };
  }
  return schema;
}
