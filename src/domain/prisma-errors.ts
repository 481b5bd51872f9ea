import { Prisma } from '../generated/prisma/client';

/** Prisma's code for a unique constraint violation (P2002), a missing table (P2021) or a missing row (P2025). */
export function hasPrismaCode(error: unknown, code: 'P2002' | 'P2021' | 'P2025'): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === code;
}
