import seedrandom from 'seedrandom';
import { seedPlatform } from '../src/bulk/seed';
import { syntheticPlatform } from '../src/bulk/synthetic-platform';
import { db } from '../src/db/client';
import { createConsumer } from '../src/domain/consumers';

async function storedRelations() {
  const rows = await db().relation.findMany({
    orderBy: { id: 'asc' },
    select: { consumer: { select: { email: true } }, provider: { select: { name: true } }, kind: true, occurredAt: true, amountMinor: true, currency: true, rating: true },
  });
  return rows.map(({ consumer, provider, occurredAt, ...facts }) => ({ ...facts, consumer: consumer.email, provider: provider.name, occurredAt: occurredAt.getTime() }));
}

describe('npm run db:seed', () => {
  it('stores exactly the relations the seed generates, with parties numbered as generated', async () => {
    const progress: number[] = [];
    await seedPlatform({ relations: 1234, seed: 'test' }, ({ relations }) => progress.push(relations));

    const expected = [...syntheticPlatform({ relations: 1234, seed: 'test' }).relations()].map(({ consumerId, providerId, ...facts }) => ({
      ...facts,
      consumer: `consumer-${consumerId}@test.seed.example`,
      provider: `Provider ${providerId}`,
    }));
    expect(await storedRelations()).toEqual(expected);
    expect(progress.at(-1)).toBe(1234);
    expect(await db().consumer.count()).toBe(123);
  });

  it('refuses a database that already has consumers', async () => {
    await createConsumer({ name: 'Ada', email: 'ada@example.com' });
    await expect(seedPlatform({ relations: 10 })).rejects.toThrow(/fills an empty database; this one has \d+ consumers/);
  });
});

describe('the synthetic platform', () => {
  const platform = syntheticPlatform({ relations: 50_000, providers: 1000, consumers: 5000, seed: 'shape' });
  const relations = [...platform.relations()];

  it('is the same for the same seed and different for another', () => {
    expect([...syntheticPlatform({ relations: 500, providers: 1000, consumers: 5000, seed: 'shape' }).relations()]).toEqual(relations.slice(0, 500));
    expect([...syntheticPlatform({ relations: 500, providers: 1000, consumers: 5000, seed: 'other' }).relations()]).not.toEqual(relations.slice(0, 500));
  });

  it('concentrates relations on a few popular providers', () => {
    const perProvider = new Map<number, number>();
    for (const { providerId } of relations) perProvider.set(providerId, (perProvider.get(providerId) ?? 0) + 1);
    const counts = [...perProvider.values()].sort((a, b) => b - a);
    const topTenth = counts.slice(0, Math.ceil(platform.providers.length / 10)).reduce((sum, count) => sum + count, 0);
    expect(topTenth / relations.length).toBeGreaterThan(0.3);
  });

  it('has more activity in December than in July, and on weekdays than at weekends', () => {
    const count = (test: (date: Date) => boolean) => relations.filter((relation) => test(new Date(relation.occurredAt))).length;
    expect(count((date) => date.getUTCMonth() === 11)).toBeGreaterThan(1.2 * count((date) => date.getUTCMonth() === 6));
    const weekend = count((date) => date.getUTCDay() === 0 || date.getUTCDay() === 6);
    expect(weekend / 2).toBeLessThan(0.8 * ((relations.length - weekend) / 5));
  });

  it('keeps consumers mostly within their home group of providers', () => {
    const shareInTopGroup = (pairs: { consumerId: number; providerId: number }[]) => {
      const groups = new Map<number, Map<number, number>>();
      for (const { consumerId, providerId } of pairs) {
        const perGroup = groups.get(consumerId) ?? new Map<number, number>();
        const group = platform.providers[providerId - 1].group;
        perGroup.set(group, (perGroup.get(group) ?? 0) + 1);
        groups.set(consumerId, perGroup);
      }
      let inTopGroup = 0;
      for (const perGroup of groups.values()) inTopGroup += Math.max(...perGroup.values());
      return inTopGroup / pairs.length;
    };
    // The same relations with providers dealt out at random: how far consumers stick to a group by chance.
    const random = seedrandom('shuffle');
    const providers = relations.map((relation) => relation.providerId).sort(() => random() - 0.5);
    const shuffled = relations.map((relation, index) => ({ consumerId: relation.consumerId, providerId: providers[index] }));
    expect(shareInTopGroup(relations)).toBeGreaterThan(shareInTopGroup(shuffled) + 0.2);
  });
});
