import { db } from '../db/client';
import { createConsumer } from './consumers';
import { createProvider } from './providers';
import { recordRelation } from './relations';

/** A small, fixed platform for demos: every run produces the same data. */

const PROVIDERS = [
  { name: 'Northwind Groceries', category: 'groceries', currency: 'EUR', price: 4500 },
  { name: 'Bluebird Streaming', category: 'streaming', currency: 'EUR', price: 1299 },
  { name: 'Atlas Fitness', category: 'fitness', currency: 'EUR', price: 3900 },
  { name: 'Copperline Coffee', category: 'food', currency: 'EUR', price: 450 },
  { name: 'Lumen Books', category: 'books', currency: 'GBP', price: 1800 },
  { name: 'Harbor Rides', category: 'mobility', currency: 'EUR', price: 1650 },
  { name: 'Pinecone Travel', category: 'travel', currency: 'USD', price: 42000 },
  { name: 'Quill Learning', category: 'education', currency: 'USD', price: 2900 },
] as const;

const FIRST_NAMES = ['Ada', 'Bea', 'Cyril', 'Dana', 'Emil', 'Fatima', 'Goran', 'Hana', 'Ines', 'Jonas'];
const LAST_NAMES = ['Lovelace', 'Okafor', 'Novak', 'Silva', 'Tanaka', 'Moreau'];
const COMMENTS = ['Great service', 'Does the job', 'Fast and friendly', 'Could be cheaper', 'Would use again'];

/** mulberry32: a tiny seeded generator, so the demo data is the same on every machine. */
function seededRandom(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAY_MS = 24 * 60 * 60 * 1000;

export async function isDatabaseEmpty(): Promise<boolean> {
  const [consumers, providers] = await Promise.all([db().consumer.count(), db().provider.count()]);
  return consumers === 0 && providers === 0;
}

export async function loadDemoData(now = new Date()): Promise<{ consumers: number; providers: number; relations: number }> {
  const random = seededRandom(20261125);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];

  const providers = [];
  for (const provider of PROVIDERS) {
    const slug = provider.name.toLowerCase().replace(/\s+/g, '');
    const created = await createProvider({
      name: provider.name,
      category: provider.category,
      contactEmail: `hello@${slug}.example`,
      website: `https://${slug}.example`,
    });
    providers.push({ ...provider, id: created.id });
  }

  let relations = 0;
  const consumerCount = FIRST_NAMES.length * 4;
  for (let index = 0; index < consumerCount; index++) {
    const first = FIRST_NAMES[index % FIRST_NAMES.length];
    const last = LAST_NAMES[(index * 7) % LAST_NAMES.length];
    const consumer = await createConsumer({
      name: `${first} ${last}`,
      email: `${first}.${last}.${index}@example.com`.toLowerCase(),
      marketingConsent: random() < 0.6,
    });
    // Each consumer favours a neighbourhood of providers, so the graph has communities.
    const home = index % providers.length;
    const visited = [home, (home + 1) % providers.length, Math.floor(random() * providers.length)];
    for (const providerIndex of visited) {
      const provider = providers[providerIndex];
      const visits = 1 + Math.floor(random() * 4);
      for (let visit = 0; visit < visits; visit++) {
        const occurredAt = new Date(now.getTime() - Math.floor(random() * 540) * DAY_MS);
        const roll = random();
        const base = { consumerId: consumer.id, providerId: provider.id, occurredAt };
        if (roll < 0.55) {
          const amountMinor = Math.round(provider.price * (0.5 + random()));
          await recordRelation({ ...base, kind: 'PURCHASE', amountMinor, currency: provider.currency });
        } else if (roll < 0.7) {
          await recordRelation({ ...base, kind: 'SUBSCRIPTION', amountMinor: provider.price, currency: provider.currency });
        } else if (roll < 0.9) {
          await recordRelation({ ...base, kind: 'REVIEW', rating: 1 + Math.floor(random() * 5), comment: pick(COMMENTS) });
        } else {
          await recordRelation({ ...base, kind: 'FAVORITE' });
        }
        relations++;
      }
    }
  }
  return { consumers: consumerCount, providers: providers.length, relations };
}
