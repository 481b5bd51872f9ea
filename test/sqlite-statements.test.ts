import { db } from '../src/db/client';
import { parseGlobalId } from '../src/schema/ids';
import { createConsumer, createProvider, purchase } from './support/factories';

// On SQLite, the statements Prisma's adapter prepares are kept and rebound per use
// (src/db/client.ts): one query shape asked with other values, interleaved, inside and outside
// transactions, reads the rows of its own values.

const sqlite = process.env.DATABASE_URL!.startsWith('file:');
const numberOf = (globalId: string) => parseGlobalId(globalId, 'id').id;

(sqlite ? it : it.skip)('answers each use of a kept statement with the values it was given', async () => {
  const consumers = await Promise.all([createConsumer({ name: 'Kept one' }), createConsumer({ name: 'Kept two' })]);
  const provider = await createProvider();
  await purchase(consumers[0].id, provider.id);
  const ids = consumers.map((consumer) => numberOf(consumer.id));
  const page = (id: number) => db().consumer.findUnique({ where: { id }, include: { relations: { select: { consumerId: true } } } });

  for (let round = 0; round < 3; round++) {
    const [one, two] = await Promise.all(ids.map(page));
    expect([one?.name, two?.name]).toEqual(['Kept one', 'Kept two']);
    expect([one?.relations.length, two?.relations.length]).toEqual([1, 0]);
    const inside = await db().$transaction(async (tx) => {
      await tx.consumer.update({ where: { id: ids[1] }, data: { name: `Kept two, round ${round}` } });
      return tx.consumer.findUnique({ where: { id: ids[1] }, select: { name: true } });
    });
    expect(inside?.name).toBe(`Kept two, round ${round}`);
    await db().consumer.update({ where: { id: ids[1] }, data: { name: 'Kept two' } });
  }
});
