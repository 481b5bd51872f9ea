import type { Db } from './client';

const BATCH = 500;

/**
 * Encrypts consumers stored before PII encryption existed (they have no email hash). Reads raw
 * rows, because the extension would refuse to decrypt plaintext; writes through the extension.
 */
export async function sealPlaintextPii(db: Db): Promise<number> {
  const rows = await db.$queryRaw<{ id: number; email: string; phone: string | null }[]>`
    SELECT "id", "email", "phone" FROM "Consumer" WHERE "emailHash" IS NULL AND "email" IS NOT NULL`;
  for (const { id, email, phone } of rows) {
    await db.consumer.update({ where: { id }, data: { email, phone } });
  }
  return rows.length;
}

/** Re-encrypts every consumer's email and phone under the keyring's primary key. */
export async function reencryptPii(db: Db): Promise<number> {
  let count = 0;
  for (let after = 0; ; ) {
    const batch = await db.consumer.findMany({
      where: { id: { gt: after }, erasedAt: null },
      select: { id: true, email: true, phone: true },
      orderBy: { id: 'asc' },
      take: BATCH,
    });
    if (batch.length === 0) return count;
    await db.$transaction(
      batch.map(({ id, email, phone }) => db.consumer.update({ where: { id }, data: { email, phone }, select: { id: true } })),
    );
    count += batch.length;
    after = batch[batch.length - 1].id;
  }
}
