import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { BulkTransaction, BulkWriter } from '../db/bulk-writer';
import { db } from '../db/client';
import type { Party } from '../db/party';
import { serializeChange } from './changes';
import type { RelationKind } from '../generated/prisma/enums';
import { type FieldIssue, InvalidInputError } from './errors';
import * as fields from './fields';
import { checkKindRules, relationFields } from './relations';

/**
 * Bulk import of relations that name their consumer and provider by external ID (their key in
 * the system the data comes from). Rows meet the same rules as relations recorded through the
 * API; a party is found by its `externalId` (a consumer also by the external ID of an account
 * merged into it), and created the first time it is met:
 * - its `externalId` is the key, its name unknown (IMPORTED_NAMES) until the API gives it one;
 * - a consumer has no email; a provider's (required) contact email is derived from the key,
 *   `provider-<hash>@import.invalid` (importedPartyEmail), which can never receive mail (RFC 2606);
 * - an imported provider's category is `imported`.
 * Before external IDs existed, imports kept the key in `name` and found parties by a derived
 * email: `moveImportKeysToExternalIds` moves those keys over.
 */

export const CSV_COLUMNS = ['consumer', 'provider', 'kind', 'occurredAt', 'amount', 'currency', 'rating'] as const;

export type CsvRecord = Record<(typeof CSV_COLUMNS)[number], string>;

export interface ImportedRelation {
  consumer: string;
  provider: string;
  kind: RelationKind;
  occurredAt: Date;
  amountMinor: number | null;
  currency: string | null;
  rating: number | null;
}

const IMPORTED_CATEGORY = 'imported';

/** The names of imported parties: the CSV names them only by key. */
export const IMPORTED_NAMES = { consumer: 'Imported consumer', provider: 'Imported provider' } as const;

const importedRelationInput = z
  .object({ consumer: fields.externalId, provider: fields.externalId, ...relationFields })
  .superRefine(checkKindRules);

/** The relation a CSV record describes, or an InvalidInputError naming every problem by its CSV column. */
export function parseCsvRecord(record: CsvRecord, now = new Date()): ImportedRelation {
  const issues: FieldIssue[] = [];
  const currency = blankToNull(record.currency)?.toUpperCase() ?? null;
  const amountMinor = parseAmount(record.amount, currency, issues);
  const occurredAt = blankToNull(record.occurredAt);
  const rating = blankToNull(record.rating);
  const result = importedRelationInput.safeParse({
    consumer: record.consumer,
    provider: record.provider,
    kind: record.kind.trim().toUpperCase(),
    occurredAt: occurredAt === null ? null : new Date(occurredAt),
    amountMinor,
    currency,
    rating: rating === null ? null : Number(rating),
  });
  if (!result.success) {
    for (const issue of result.error.issues) {
      const field = String(issue.path[0] ?? '(row)');
      // A bad amount is already reported in its own words.
      if (field === 'amountMinor' && issues.some((known) => known.field === 'amount')) continue;
      issues.push({ field: field === 'amountMinor' ? 'amount' : field, message: issue.message });
    }
  }
  if (issues.length > 0 || !result.success) throw new InvalidInputError(issues);
  const data = result.data;
  return {
    consumer: data.consumer,
    provider: data.provider,
    kind: data.kind,
    occurredAt: data.occurredAt ?? now,
    amountMinor: data.amountMinor ?? null,
    currency: data.currency ?? null,
    rating: data.rating ?? null,
  };
}

/** A decimal amount in the currency's major unit (`12.50` EUR) as whole minor units (1250), exactly. */
function parseAmount(text: string, currency: string | null, issues: FieldIssue[]): number | null {
  const amount = blankToNull(text);
  if (amount === null) return null;
  const decimals = currency === null ? 2 : minorDigits(currency);
  const match = /^(\d+)(?:\.(\d+))?$/.exec(amount);
  if (!match || (match[2] ?? '').length > decimals) {
    issues.push({
      field: 'amount',
      message: `must be a non-negative amount with at most ${decimals} decimals${currency ? ` for ${currency}` : ''}, such as 12.50`,
    });
    return null;
  }
  return Number(match[1] + (match[2] ?? '').padEnd(decimals, '0'));
}

const minorDigitsByCurrency = new Map<string, number>();

/** Decimals of the currency's minor unit; asked once per currency, not once per row. */
function minorDigits(currency: string): number {
  let digits = minorDigitsByCurrency.get(currency);
  if (digits === undefined) {
    try {
      digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      digits = 2; // an unknown currency is reported by the currency rule
    }
    minorDigitsByCurrency.set(currency, digits);
  }
  return digits;
}

function blankToNull(value: string | undefined): string | null {
  const trimmed = value?.trim() ?? '';
  return trimmed === '' ? null : trimmed;
}

export function importedPartyEmail(side: Party, key: string): string {
  return `${side}-${createHash('sha256').update(key).digest('hex').slice(0, 24)}@import.invalid`;
}


/**
 * Finds the ids of imported parties by external ID, creating those not met before. Ids found
 * are remembered across batches in `known`.
 */
async function partyIds(
  tx: BulkTransaction,
  side: Party,
  keys: Iterable<string>,
  known: ReadonlyMap<string, number>,
): Promise<Map<string, number>> {
  const missing = [...new Set(keys)].filter((key) => !known.has(key));
  const found = missing.length === 0 ? new Map<string, number>() : side === 'consumer' ? await tx.consumerIds(missing) : await tx.providerIds(missing);
  const fresh = missing.filter((key) => !found.has(key));
  const name = IMPORTED_NAMES[side];
  const freshIds =
    fresh.length === 0
      ? []
      : side === 'consumer'
        ? await tx.insertConsumers(fresh.map((externalId) => ({ externalId, name, email: null, marketingConsent: false })))
        : await tx.insertProviders(
            fresh.map((externalId) => ({ externalId, name, contactEmail: importedPartyEmail('provider', externalId), category: IMPORTED_CATEGORY })),
          );
  const learned = new Map(found);
  fresh.forEach((key, index) => learned.set(key, freshIds[index]));
  return learned;
}

/** Ids of the parties met so far, by external ID, kept by the importer across batches. */
export interface PartyCache {
  consumers: Map<string, number>;
  providers: Map<string, number>;
}

export function emptyPartyCache(): PartyCache {
  return { consumers: new Map(), providers: new Map() };
}

/**
 * Stores one batch of valid relations and the parties they name, in one transaction of the bulk
 * writer (the driver's fast path): all of it or none. Every relation of the batch gets
 * `createdAt = stamp`, which is how an interrupted import learns afterwards whether the batch
 * committed (see `batchCommitted`).
 */
export async function storeImportBatch(
  writer: BulkWriter,
  relations: readonly ImportedRelation[],
  stamp: Date,
  cache: PartyCache,
  { rowsToCome }: { rowsToCome: number },
): Promise<void> {
  // Ids learnt inside a transaction that rolls back would name nothing: keep them only on commit.
  const learned = await writer.transaction(stamp, async (tx) => {
    // The rest of the load is at least the table: its indexes are cheaper rebuilt once at the end.
    if (rowsToCome >= (await tx.relationCount())) await tx.deferRelationIndexes();
    const consumers = await partyIds(tx, 'consumer', relations.map((relation) => relation.consumer), cache.consumers);
    const providers = await partyIds(tx, 'provider', relations.map((relation) => relation.provider), cache.providers);
    // Each field named: a rest-and-spread copy of each relation cost 1.7 s of a 1M import.
    await tx.insertRelations(
      relations.map(({ consumer, provider, kind, occurredAt, amountMinor, currency, rating }) => ({
        consumerId: cache.consumers.get(consumer) ?? consumers.get(consumer)!,
        providerId: cache.providers.get(provider) ?? providers.get(provider)!,
        kind,
        occurredAt,
        amountMinor,
        currency,
        rating,
      })),
    );
    // Rows written in bulk, past the per-row changes: every process re-reads its graph.
    await tx.appendChange(serializeChange({ type: 'bulkLoaded' }));
    return { consumers, providers };
  });
  for (const [key, id] of learned.consumers) cache.consumers.set(key, id);
  for (const [key, id] of learned.providers) cache.providers.set(key, id);
}

/** Whether the batch stored with `stamp` committed: all of its `size` relations are there. */
export async function batchCommitted(stamp: Date, size: number): Promise<boolean> {
  return (await db().relation.count({ where: { createdAt: stamp } })) >= size;
}
