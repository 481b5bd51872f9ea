import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { PII_KEYRING } from '../config';

/**
 * Personal data at rest: AES-256-GCM for the value, HMAC-SHA-256 for exact-match lookup. Each
 * master key yields its own encryption and lookup keys (HKDF), so rotating the master key
 * rotates both. Ciphertexts name the key they were made with: `pii1.<keyId>.<iv>.<tag>.<data>`.
 */

export class PiiKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PiiKeyError';
  }
}

interface PiiKey {
  id: string;
  encryption: Buffer;
  lookup: Buffer;
}

export interface Keyring {
  /** The primary key first: the one new values are encrypted with. */
  keys: PiiKey[];
  byId: Map<string, PiiKey>;
}

const FORMAT = 'pii1';

function deriveKey(id: string, master: Buffer): PiiKey {
  const derive = (purpose: string) => Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), purpose, 32));
  return { id, encryption: derive('rapport pii encryption'), lookup: derive('rapport pii lookup') };
}

/** Parses `id:base64key[,id:base64key...]`; the first key is the primary one. */
export function parseKeyring(text: string): Keyring {
  const trimmed = text.trim();
  if (!PII_KEYRING.test(trimmed)) {
    throw new PiiKeyError('A PII keyring must be id:key pairs separated by commas, each key 32 bytes in base64');
  }
  const keys = trimmed.split(',').map((entry) => {
    const [id, key] = entry.split(':');
    return deriveKey(id, Buffer.from(key, 'base64'));
  });
  const byId = new Map(keys.map((key) => [key.id, key]));
  if (byId.size !== keys.length) throw new PiiKeyError('A PII keyring names the same key id twice');
  return { keys, byId };
}

/** A fresh `id:key` entry; the id starts with the creation time so operators can tell keys apart. */
export function newKeyringEntry(now = new Date()): string {
  const id = `k${now.toISOString().replace(/\D/g, '').slice(0, 14)}-${randomBytes(3).toString('hex')}`;
  return `${id}:${randomBytes(32).toString('base64')}`;
}

/** The keyring text a configuration names: from the environment, or from the key file. */
export function keyringText(source: { keyring: string } | { file: string }): string {
  return 'keyring' in source ? source.keyring : readKeyFile(source.file);
}

/** Reads the key file of the embedded default, creating it (owner-only) on first use. */
export function readKeyFile(file: string): string {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${newKeyringEntry()}\n`, { mode: 0o600, flag: 'wx' });
  }
  const mode = statSync(file).mode & 0o777;
  if (mode & 0o077) {
    throw new PiiKeyError(`The PII key file ${file} is readable by others (mode ${mode.toString(8)}); run chmod 600 on it`);
  }
  return readFileSync(file, 'utf8');
}

/** Replaces the key file atomically: a crash leaves the old file or the new one, never half of one. */
export function writeKeyFile(file: string, keyring: string): void {
  const draft = `${file}.${process.pid}.tmp`;
  writeFileSync(draft, `${keyring}\n`, { mode: 0o600, flush: true });
  chmodSync(draft, 0o600);
  renameSync(draft, file);
}

export function encrypt(keyring: Keyring, plaintext: string): string {
  const [primary] = keyring.keys;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', primary.encryption, iv);
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [FORMAT, primary.id, iv, cipher.getAuthTag(), data]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

export function decrypt(keyring: Keyring, ciphertext: string): string {
  const [format, keyId, iv, tag, data] = ciphertext.split('.');
  if (format !== FORMAT || data === undefined) throw new PiiKeyError('A stored value is not PII ciphertext');
  const key = keyring.byId.get(keyId);
  if (!key) throw new PiiKeyError(`A stored value was encrypted with PII key "${keyId}", which is not in the keyring`);
  const decipher = createDecipheriv('aes-256-gcm', key.encryption, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  try {
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new PiiKeyError(`A stored value does not decrypt with PII key "${keyId}": the key is wrong or the value was altered`);
  }
}

/** Lookup hashes of a normalised value under every key, the primary's first. */
export function lookupHashes(keyring: Keyring, value: string): string[] {
  return keyring.keys.map((key) => createHmac('sha256', key.lookup).update(value).digest('base64url'));
}

export function primaryLookupHash(keyring: Keyring, value: string): string {
  return createHmac('sha256', keyring.keys[0].lookup).update(value).digest('base64url');
}
