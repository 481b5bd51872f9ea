import { config } from '../src/config';
import { createDb } from '../src/db/client';
import { keyringText, newKeyringEntry, parseKeyring, writeKeyFile } from '../src/db/pii';
import { reencryptPii, reencryptWebhookSecrets } from '../src/db/pii-maintenance';

/**
 * `npm run pii:rotate`: re-encrypts every consumer's email and phone under the primary PII key.
 * With the embedded key file, it first adds a fresh primary key and, once every row uses it,
 * drops the old ones. With PII_KEYS, put the new key first yourself, run this, then remove the
 * old keys from PII_KEYS (docs/security.md).
 */
async function main() {
  const settings = config();
  const source = settings.piiKeys;
  const current = keyringText(source).trim();
  const rotating = 'keyring' in source ? current : `${newKeyringEntry()},${current}`;
  const keyring = parseKeyring(rotating);
  if ('file' in source) writeKeyFile(source.file, rotating);

  const db = createDb(settings.databaseUrl, keyring);
  try {
    const count = await reencryptPii(db);
    const [primary, ...retired] = keyring.keys.map((key) => key.id);
    const endpoints = await reencryptWebhookSecrets(db, keyring);
    console.log(`Re-encrypted ${count} consumers and ${endpoints} webhook endpoints' secrets under PII key ${primary}.`);
    if ('file' in source) {
      writeKeyFile(source.file, rotating.split(',')[0]);
      console.log(`Removed the retired key(s) ${retired.join(', ')} from ${source.file}.`);
    } else if (retired.length > 0) {
      console.log(`No data uses ${retired.join(', ')} any more: remove them from PII_KEYS.`);
    }
  } finally {
    await db.$disconnect();
  }
}

main().catch((error: Error) => {
  console.error(`Key rotation failed, and every key is kept: ${error.message}`);
  process.exit(1);
});
