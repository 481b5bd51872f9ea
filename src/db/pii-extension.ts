import { Prisma } from '../generated/prisma/client';
import { type Keyring, decrypt, encrypt, lookupHashes, primaryLookupHash } from './pii';

/** A query the PII extension cannot answer without reading plaintext. */
export class PiiQueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PiiQueryError';
  }
}

type Row = Record<string, unknown>;

/** The emails of an `equals` or `in` condition, or undefined for any other (substring, order...). */
function exactValues(condition: Row): string[] | undefined {
  const [operator, ...others] = Object.keys(condition);
  const value = condition[operator];
  if (others.length > 0) return undefined;
  if (operator === 'equals' && typeof value === 'string') return [value];
  if (operator === 'in' && Array.isArray(value) && value.every((item) => typeof item === 'string')) return value;
  return undefined;
}

function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * Encrypts consumers' email and phone on every write, keeps `emailHash` in step, turns exact
 * email filters into hash lookups and decrypts on every read, nested reads included. Code above
 * the database layer sees plaintext and never knows.
 */
export function piiExtension(keyring: Keyring) {
  const seal = (data: Row): Row => {
    const sealed = { ...data };
    if (typeof data.email === 'string') {
      sealed.email = encrypt(keyring, data.email);
      sealed.emailHash = primaryLookupHash(keyring, normaliseEmail(data.email));
    } else if (data.email === null) {
      sealed.emailHash = null;
    } else if (data.email !== undefined) {
      throw new PiiQueryError('Consumer email must be written as a plain string or null');
    }
    if (typeof data.phone === 'string') sealed.phone = encrypt(keyring, data.phone);
    else if (data.phone !== undefined && data.phone !== null) {
      throw new PiiQueryError('Consumer phone must be written as a plain string or null');
    }
    return sealed;
  };
  const sealAll = (data: unknown) => (Array.isArray(data) ? data.map(seal) : seal(data as Row));

  const lookup = (where: Row): Row => {
    const rewritten: Row = {};
    for (const [field, condition] of Object.entries(where)) {
      if (field === 'email') Object.assign(rewritten, emailCondition(condition));
      else if (field === 'phone' && condition !== null) {
        throw new PiiQueryError('Consumer phone numbers are encrypted and cannot be filtered on');
      } else if (['AND', 'OR', 'NOT'].includes(field)) {
        rewritten[field] = Array.isArray(condition) ? condition.map(lookup) : lookup(condition as Row);
      } else rewritten[field] = condition;
    }
    return rewritten;
  };
  const emailCondition = (condition: unknown): Row => {
    if (condition === null) return { email: null };
    const exact = typeof condition === 'string' ? [condition] : exactValues(condition as Row);
    if (exact === undefined) throw new PiiQueryError('Consumer emails are encrypted: they can only be matched exactly');
    return { emailHash: { in: exact.flatMap((email) => lookupHashes(keyring, normaliseEmail(email))) } };
  };

  const open = (value: string | null) => (value === null ? null : decrypt(keyring, value));

  return Prisma.defineExtension({
    name: 'pii',
    query: {
      consumer: {
        $allOperations({ args, query }) {
          const writable = args as Row;
          for (const part of ['data', 'create', 'update']) {
            if (writable[part]) writable[part] = sealAll(writable[part]);
          }
          if (writable.where) writable.where = lookup(writable.where as Row);
          return query(args);
        },
      },
    },
    result: {
      consumer: {
        email: { needs: { email: true }, compute: ({ email }) => open(email) },
        phone: { needs: { phone: true }, compute: ({ phone }) => open(phone) },
      },
    },
  });
}
