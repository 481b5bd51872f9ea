import { Prisma } from '../generated/prisma/client';

/** Prisma's code for a unique constraint violation (P2002), a missing table (P2021) or a missing row (P2025). */
export function hasPrismaCode(error: unknown, code: 'P2002' | 'P2003' | 'P2021' | 'P2025'): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === code;
}

/**
 * Whether the error is a unique constraint violation on `column`. Drivers name the constraint
 * differently (SQLite its columns, PostgreSQL its index, `<Model>_<column>_key`), both inside `meta`.
 */
export function violatesUnique(error: unknown, column: string): boolean {
  if (!hasPrismaCode(error, 'P2002')) return false;
  return JSON.stringify((error as Prisma.PrismaClientKnownRequestError).meta ?? {}).includes(column);
}
