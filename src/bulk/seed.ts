import { db } from '../db/client';
import { recordChange } from '../domain/changes';
import { type SyntheticPlatformOptions, providerCategory, syntheticPlatform } from './synthetic-platform';

/**
 * Fills an empty database with a synthetic platform (synthetic-platform.ts): its consumers,
 * providers and relations, written in batches with createMany.
 */

const SEED_BATCH_SIZE = 10_000;

export class DatabaseNotEmptyError extends Error {
  constructor(consumers: number, providers: number) {
    super(`db:seed fills an empty database; this one has ${consumers} consumers and ${providers} providers`);
    this.name = 'DatabaseNotEmptyError';
  }
}

export interface SeedProgress {
  relations: number;
  total: number;
}

export async function seedPlatform(
  options: SyntheticPlatformOptions,
  onProgress: (progress: SeedProgress) => void = () => {},
): Promise<void> {
  const [consumerCount, providerCount] = await Promise.all([db().consumer.count(), db().provider.count()]);
  if (consumerCount > 0 || providerCount > 0) throw new DatabaseNotEmptyError(consumerCount, providerCount);
  const platform = syntheticPlatform(options);
  const tag = options.seed ?? 'rapport';

  for (let first = 1; first <= platform.consumers; first += SEED_BATCH_SIZE) {
    const numbers = Array.from({ length: Math.min(SEED_BATCH_SIZE, platform.consumers - first + 1) }, (_, index) => first + index);
    await db().consumer.createMany({
      data: numbers.map((n) => ({ name: `Consumer ${n}`, email: `consumer-${n}@${tag}.seed.example`, marketingConsent: n % 3 === 0 })),
    });
  }
  await db().provider.createMany({
    data: platform.providers.map((provider) => ({
      name: `Provider ${provider.id}`,
      contactEmail: `provider-${provider.id}@${tag}.seed.example`,
      category: providerCategory(provider),
    })),
  });
  // The tables were empty and createMany inserts in order: the n-th id in order is number n's.
  const consumerIds = await idsInOrder('consumer');
  const providerIds = await idsInOrder('provider');

  let batch = [];
  let written = 0;
  for (const relation of platform.relations()) {
    batch.push({ ...relation, occurredAt: new Date(relation.occurredAt), consumerId: consumerIds[relation.consumerId - 1], providerId: providerIds[relation.providerId - 1] });
    if (batch.length === SEED_BATCH_SIZE) {
      written += (await db().relation.createMany({ data: batch })).count;
      onProgress({ relations: written, total: platform.relationCount });
      batch = [];
    }
  }
  if (batch.length > 0) written += (await db().relation.createMany({ data: batch })).count;
  // Rows written in bulk, past the per-row changes: every running process re-reads its graph.
  await db().$transaction((tx) => recordChange(tx, { type: 'bulkLoaded' }));
  onProgress({ relations: written, total: platform.relationCount });
}

async function idsInOrder(table: 'consumer' | 'provider'): Promise<number[]> {
  const rows =
    table === 'consumer'
      ? await db().consumer.findMany({ select: { id: true }, orderBy: { id: 'asc' } })
      : await db().provider.findMany({ select: { id: true }, orderBy: { id: 'asc' } });
  return rows.map((row) => row.id);
}
