import { config } from '../config';
import { type NewRelation, openBulkWriter } from '../db/bulk-writer';
import { db } from '../db/client';
import { serializeChange } from '../domain/changes';
import { type SyntheticPlatformOptions, providerCategory, syntheticPlatform } from './synthetic-platform';

/**
 * Fills an empty database with a synthetic platform (synthetic-platform.ts): its consumers,
 * providers and relations, written through the driver's bulk path (db/bulk-writer.ts).
 */

/** Relations generated and written at a time: bounds the memory of a seed of any size. */
const SEED_BATCH_SIZE = 50_000;

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

  const writer = await openBulkWriter(config().databaseUrl);
  try {
    // One transaction: a seed interrupted leaves the database empty, ready to seed again.
    await writer.transaction(new Date(), async (tx) => {
      const consumerIds = await tx.insertConsumers(
        Array.from({ length: platform.consumers }, (_, index) => {
          const n = index + 1;
          return { name: `Consumer ${n}`, email: `consumer-${n}@${tag}.seed.example`, marketingConsent: n % 3 === 0 };
        }),
      );
      const providerIds = await tx.insertProviders(
        platform.providers.map((provider) => ({
          name: `Provider ${provider.id}`,
          contactEmail: `provider-${provider.id}@${tag}.seed.example`,
          category: providerCategory(provider),
        })),
      );
      await tx.deferRelationIndexes();
      let batch: NewRelation[] = [];
      let written = 0;
      const store = async () => {
        await tx.insertRelations(batch);
        written += batch.length;
        onProgress({ relations: written, total: platform.relationCount });
        batch = [];
      };
      for (const relation of platform.relations()) {
        batch.push({
          ...relation,
          occurredAt: new Date(relation.occurredAt),
          consumerId: consumerIds[relation.consumerId - 1],
          providerId: providerIds[relation.providerId - 1],
        });
        if (batch.length === SEED_BATCH_SIZE) await store();
      }
      await store();
      await tx.restoreRelationIndexes();
      // Rows written in bulk, past the per-row changes: every running process re-reads its graph.
      await tx.appendChange(serializeChange({ type: 'bulkLoaded' }));
    });
  } finally {
    await writer.close();
  }
}
