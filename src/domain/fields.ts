import { z } from 'zod';
import { containsIgnoringCase, unmatchableLiterally } from '../db/dialect';
import type { Prisma } from '../generated/prisma/client';
import { InvalidInputError, parseInput } from './errors';

/** zod schemas for the values that several entities share, with messages users can act on. */

export const name = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters');

export const email = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(
    z
      .email('must be a valid email address such as ada@example.com')
      .max(254, 'must be at most 254 characters')
      // The importer names parties it creates with addresses under .invalid (reserved, RFC 2606).
      .refine((address) => !address.endsWith('.invalid'), 'must be a deliverable address: .invalid is reserved'),
  );

/** The longest external ID: keys of other systems (UUIDs, ULIDs, paths of IDs) fit with room to spare. */
export const MAX_EXTERNAL_ID = 128;

/**
 * A party's key in a system the data comes from. Stored in plaintext and compared exactly, so the
 * charset leaves out `@` and spaces: an email address or a name cannot become one (personal data
 * belongs in the encrypted fields).
 */
export const externalId = z
  .string()
  .trim()
  .min(1, { error: 'must not be empty', abort: true })
  .max(MAX_EXTERNAL_ID, { error: `must be at most ${MAX_EXTERNAL_ID} characters`, abort: true })
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:\/-]*$/, 'must be letters, digits and . _ : / - (starting with a letter or digit), such as crm-4711');

/** An external ID given as an argument (a lookup, an upsert): bounded and well-formed before any query runs. */
export function parseExternalId(value: string, field = 'externalId'): string {
  return parseInput(z.object({ [field]: externalId }), { [field]: value })[field] as string;
}

export const phone = z
  .string()
  .transform((value) => value.replace(/[\s().-]/g, ''))
  .pipe(z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an international phone number such as +44 20 7946 0958'));

export const url = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://example.com' })
  .max(2048, 'must be at most 2048 characters');

/** The longest `nameContains` filter: no longer than a name. */
const MAX_NAME_SEARCH = 200;

/** A case-insensitive, literal search in names: bounded, with LIKE's wildcards standing for themselves. */
export function nameSearch(value: string, field: string): Prisma.StringFilter {
  if (value.length > MAX_NAME_SEARCH) throw InvalidInputError.of(field, `must be at most ${MAX_NAME_SEARCH} characters`);
  if (unmatchableLiterally(value)) {
    throw InvalidInputError.of(field, 'cannot contain % or _ on the embedded SQLite database (they would match anything); leave them out');
  }
  return containsIgnoringCase(value);
}

export const text = (max: number) => z.string().trim().max(max, `must be at most ${max} characters`);

/** For updates of a required field: absent keeps the value, null is refused (it cannot be empty). */
export const keptUnlessGiven = <Schema extends z.ZodType>(schema: Schema) =>
  schema
    .nullish()
    .refine((value) => value !== null, 'must not be null; leave the field out to keep its value')
    .transform((value) => value ?? undefined);

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

export const currency = z
  .string()
  .trim()
  .toUpperCase()
  .refine((code) => CURRENCIES.has(code), 'must be an ISO 4217 currency code such as EUR or USD');

export const MAX_AMOUNT_MINOR = 2_147_483_647;

export const amountMinor = z
  .number()
  .int('must be a whole number of minor units (cents)')
  .min(0, 'must not be negative')
  .max(MAX_AMOUNT_MINOR, `must be at most ${MAX_AMOUNT_MINOR} minor units`);

export const rating = z
  .number()
  .int('must be a whole number from 1 to 5')
  .min(1, 'must be from 1 to 5')
  .max(5, 'must be from 1 to 5');
