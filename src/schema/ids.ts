import { decodeGlobalID } from '@pothos/plugin-relay';
import { type EntityName, InvalidInputError } from '../domain/errors';

/**
 * The type name and database ID inside a global ID (base64 of `<Type>:<number>`). Anything else
 * is a typed input error: such an ID cannot have come from this server.
 */
export function parseGlobalId(globalId: string, field: string): { typename: string; id: number } {
  let decoded: { typename: string; id: string };
  try {
    decoded = decodeGlobalID(globalId);
  } catch {
    throw InvalidInputError.of(field, `"${globalId}" is not a valid ID: pass an \`id\` this API returned`);
  }
  const id = Number(decoded.id);
  if (!/^\d+$/.test(decoded.id) || !Number.isSafeInteger(id)) {
    throw InvalidInputError.of(field, `"${globalId}" is not a valid ID: pass an \`id\` this API returned`);
  }
  return { typename: decoded.typename, id };
}

/** The database ID inside a global ID, which must name an entity of type `typename`. */
export function parseId(globalId: string, typename: EntityName, field: string): number {
  const decoded = parseGlobalId(globalId, field);
  if (decoded.typename !== typename) {
    throw InvalidInputError.of(field, `must be the ID of a ${typename}, but is the ID of a ${decoded.typename}`);
  }
  return decoded.id;
}

export function parseOptionalId(globalId: string | null | undefined, typename: EntityName, field: string) {
  return globalId == null ? globalId : parseId(globalId, typename, field);
}

/** For authorization checks: the database ID in a global ID, or -1 (which names nobody) if it is not one. */
export function idForScope(globalId: string | null | undefined, typename: EntityName): number {
  try {
    return globalId == null ? -1 : parseId(globalId, typename, 'id');
  } catch {
    return -1;
  }
}
