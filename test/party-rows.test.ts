import { db } from '../src/db/client';
import { partiesByIds } from '../src/db/rows';
import { parseId } from '../src/schema/ids';
import { createConsumer, createProvider } from './support/factories';

// Every analytics answer loads its parties through the driver, not Prisma: they must be the very
// rows Prisma reads, consumers' personal fields decrypted alike.

/** Rows as plain objects, by ID: without the inspection hook Prisma's extensions add to its results. */
const plain = <Row extends { id: number }>(rows: Row[]) => rows.map((row) => Object.fromEntries(Object.entries(row)) as Row).sort((a, b) => a.id - b.id);

it('reads the consumers and providers of a list of IDs exactly as Prisma does, leaving out IDs of none', async () => {
  const consumerIds = [
    await createConsumer({ phone: '+44 20 7946 0958', marketingConsent: true, externalId: 'crm-7' }),
    await createConsumer(),
  ].map(({ id }) => parseId(id, 'Consumer', 'id'));
  const providerIds = [
    await createProvider({ website: 'https://example.com', description: 'Büro für Ärger' }),
    await createProvider(),
  ].map(({ id }) => parseId(id, 'Provider', 'id'));
  await db().consumer.update({ where: { id: consumerIds[1] }, data: { email: null, erasedAt: new Date('2026-01-02T03:04:05.678Z') } });
  const asked = { consumers: [...consumerIds, 999_999], providers: [999_999, ...providerIds] };

  const { consumers, providers } = await partiesByIds(asked.consumers, asked.providers);
  expect(plain(consumers)).toEqual(plain(await db().consumer.findMany({ where: { id: { in: asked.consumers } } })));
  expect(plain(providers)).toEqual(plain(await db().provider.findMany({ where: { id: { in: asked.providers } } })));
  expect(plain(consumers).map(({ email, phone }) => [email, phone])).toEqual([[expect.stringMatching(/@example\.com$/), '+442079460958'], [null, null]]);
  expect(providers).toHaveLength(2);

  expect(await partiesByIds([], [])).toEqual({ consumers: [], providers: [] });
  expect(await partiesByIds([999_999], [])).toEqual({ consumers: [], providers: [] });
});
