import type { Db } from './client';
import { type Keyring, decrypt, encrypt } from './pii';

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

/**
 * Re-encrypts every consumer's email and phone under the keyring's primary key. A row changed
 * between its read and its write (an update, an erasure) is read again rather than overwritten
 * with what it held before.
 */
export async function reencryptPii(db: Db): Promise<number> {
  let count = 0;
  for (let after = 0; ; ) {
    const batch = await db.consumer.findMany({
      where: { id: { gt: after }, erasedAt: null },
      select: { id: true, email: true, phone: true, updatedAt: true },
      orderBy: { id: 'asc' },
      take: BATCH,
    });
    if (batch.length === 0) return count;
    const written = await db.$transaction(
      batch.map(({ id, email, phone, updatedAt }) =>
        db.consumer.updateMany({ where: { id, updatedAt }, data: { email, phone, updatedAt } }),
      ),
    );
    const changed = batch.filter((_row, index) => written[index].count === 0);
    count += batch.length - changed.length;
    after = changed.length > 0 ? changed[0].id - 1 : batch[batch.length - 1].id;
  }
}

/**
 * Re-encrypts the webhook signing secrets under the keyring's primary key (they are encrypted
 * with the same keyring), each endpoint only if its secrets did not change meanwhile.
 */
export async function reencryptWebhookSecrets(db: Db, keyring: Keyring): Promise<number> {
  const endpoints = await db.webhookEndpoint.findMany({ select: { id: true, secret: true, previousSecret: true } });
  const again = (value: string) => encrypt(keyring, decrypt(keyring, value));
  let count = 0;
  for (const { id, secret, previousSecret } of endpoints) {
    const { count: written } = await db.webhookEndpoint.updateMany({
      where: { id, secret, previousSecret },
      data: { secret: again(secret), previousSecret: previousSecret === null ? null : again(previousSecret) },
    });
    count += written;
  }
  return count;
}
