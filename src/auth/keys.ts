import { createHash, randomBytes } from 'node:crypto';
import { db } from '../db/client';
import { type Change, ChangeFollower, recordChange } from '../domain/changes';
import { InvalidInputError, NotFoundError } from '../domain/errors';
import type { ApiKey, Role } from '../generated/prisma/client';
import { ANONYMOUS, AuthenticationError, type Caller } from './caller';

const SECRET_PREFIX = 'rpk_';
/** Enough of the secret to tell keys apart in a listing, far too little to guess the rest. */
const SHOWN_PREFIX_LENGTH = SECRET_PREFIX.length + 8;

export interface NewApiKey {
  role: Role;
  providerId?: number | null;
  consumerId?: number | null;
  label?: string | null;
}

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

function checkSubject({ role, providerId, consumerId }: NewApiKey): void {
  const subject = { ADMIN: null, PROVIDER: 'providerId', CONSUMER: 'consumerId' }[role];
  for (const [field, value] of Object.entries({ providerId, consumerId })) {
    const party = field.replace('Id', '');
    if (field === subject && value == null) throw InvalidInputError.of(field, `a ${role} key must name the ${party} it acts for`);
    if (field !== subject && value != null) throw InvalidInputError.of(field, `a ${role} key cannot act for a ${party}`);
  }
}

/** Creates a key and returns its secret, which is shown once and never stored. */
export async function createApiKey(input: NewApiKey): Promise<{ secret: string; apiKey: ApiKey }> {
  checkSubject(input);
  if (input.providerId != null && !(await db().provider.findUnique({ where: { id: input.providerId } }))) {
    throw new NotFoundError('Provider', 'providerId');
  }
  if (input.consumerId != null && !(await db().consumer.findUnique({ where: { id: input.consumerId } }))) {
    throw new NotFoundError('Consumer', 'consumerId');
  }
  const secret = `${SECRET_PREFIX}${randomBytes(32).toString('base64url')}`;
  const apiKey = await db().apiKey.create({
    data: {
      role: input.role,
      providerId: input.providerId ?? null,
      consumerId: input.consumerId ?? null,
      label: input.label ?? null,
      prefix: secret.slice(0, SHOWN_PREFIX_LENGTH),
      secretHash: hashSecret(secret),
    },
  });
  return { secret, apiKey };
}

export function listApiKeys(): Promise<ApiKey[]> {
  return db().apiKey.findMany({ orderBy: { id: 'asc' } });
}

/**
 * Revokes a key; from the next request on, in every server process, it authenticates nothing
 * (the change log tells their key caches). Revoking twice is harmless.
 */
export async function revokeApiKey(id: number): Promise<ApiKey> {
  const key = await db().apiKey.findUnique({ where: { id } });
  if (!key) throw new NotFoundError('ApiKey', 'id');
  if (key.revokedAt) return key;
  return db().$transaction(async (tx) => {
    const revoked = await tx.apiKey.update({ where: { id }, data: { revokedAt: new Date() } });
    await recordChange(tx, { type: 'apiKeysRevoked', ids: [id] });
    return revoked;
  });
}

/** Valid keys kept; past this many, the cache starts afresh (a bound against floods of keys). */
const MAX_CACHED_KEYS = 10_000;

/**
 * The callers of valid keys, by secret hash, so that a request does not look its key up in the
 * database. Before each use it catches up with the change log: a key revoked by any process is
 * dropped before the next request. Unknown and revoked keys are never cached.
 */
class KeyCache {
  private readonly callers = new Map<string, Caller>();
  /** Grows with every invalidation: a lookup that started before one must not fill the cache. */
  private generation = 0;
  private readonly follower = new ChangeFollower((changes) => {
    const deletedParty = (change: Change) => change.type === 'partyDeleted';
    if (!changes || changes.some((change) => change.type === 'apiKeysRevoked' || deletedParty(change))) this.clear();
  });

  /** The key's caller (null: unknown or revoked), and the change log's last id it was checked against. */
  async callerOf(secretHash: string): Promise<{ caller: Caller | null; changeId: number }> {
    const changeId = await this.follower.catchUp();
    const cached = this.callers.get(secretHash);
    if (cached) return { caller: cached, changeId };
    const generation = this.generation;
    const key = await db().apiKey.findUnique({ where: { secretHash } });
    if (!key || key.revokedAt) return { caller: null, changeId };
    const caller = callerOfKey(key);
    if (generation === this.generation) {
      if (this.callers.size >= MAX_CACHED_KEYS) this.callers.clear();
      this.callers.set(secretHash, caller);
    }
    return { caller, changeId };
  }

  clear(): void {
    this.callers.clear();
    this.generation++;
  }
}

function callerOfKey(key: ApiKey): Caller {
  if (key.role === 'PROVIDER') return { role: 'PROVIDER', keyId: key.id, providerId: key.providerId! };
  if (key.role === 'CONSUMER') return { role: 'CONSUMER', keyId: key.id, consumerId: key.consumerId! };
  return { role: 'ADMIN', keyId: key.id };
}

let keyCache: KeyCache | undefined;

export interface Authenticated {
  caller: Caller;
  /** The change log's last id when the key was checked; absent for an anonymous caller (nothing read). */
  changeId?: number;
}

/** The caller an `Authorization` header names. No header is an anonymous caller. */
export async function authenticate(authorization: string | null): Promise<Authenticated> {
  if (!authorization) return { caller: ANONYMOUS };
  const secret = /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
  if (!secret) throw new AuthenticationError('The Authorization header must be "Bearer <API key>"');
  keyCache ??= new KeyCache();
  const { caller, changeId } = await keyCache.callerOf(hashSecret(secret));
  if (!caller) throw new AuthenticationError('This API key is not valid or has been revoked');
  return { caller, changeId };
}

/** Creates an admin key if none is active, and returns its secret (else null). */
export async function ensureAdminKey(): Promise<string | null> {
  const active = await db().apiKey.count({ where: { role: 'ADMIN', revokedAt: null } });
  if (active > 0) return null;
  const { secret } = await createApiKey({ role: 'ADMIN', label: 'created on first start' });
  return secret;
}

/** For long-lived streams: a key revoked since the stream opened gets nothing more through it. */
export async function assertStillValid(caller: Caller): Promise<void> {
  if (!('keyId' in caller)) return;
  const key = await db().apiKey.findUnique({ where: { id: caller.keyId }, select: { revokedAt: true } });
  if (!key || key.revokedAt) throw new AuthenticationError('This API key has been revoked: the subscription sends nothing more');
}
