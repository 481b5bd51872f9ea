import { createHash, randomBytes } from 'node:crypto';
import { db } from '../db/client';
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

/** Revokes a key; from the next request on it authenticates nothing. Revoking twice is harmless. */
export async function revokeApiKey(id: number): Promise<ApiKey> {
  const key = await db().apiKey.findUnique({ where: { id } });
  if (!key) throw new NotFoundError('ApiKey', 'id');
  if (key.revokedAt) return key;
  return db().apiKey.update({ where: { id }, data: { revokedAt: new Date() } });
}

/** The caller an `Authorization` header names. No header is an anonymous caller. */
export async function authenticate(authorization: string | null): Promise<Caller> {
  if (!authorization) return ANONYMOUS;
  const secret = /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
  if (!secret) throw new AuthenticationError('The Authorization header must be "Bearer <API key>"');
  const key = await db().apiKey.findUnique({ where: { secretHash: hashSecret(secret) } });
  if (!key || key.revokedAt) throw new AuthenticationError('This API key is not valid or has been revoked');
  if (key.role === 'PROVIDER') return { role: 'PROVIDER', keyId: key.id, providerId: key.providerId! };
  if (key.role === 'CONSUMER') return { role: 'CONSUMER', keyId: key.id, consumerId: key.consumerId! };
  return { role: 'ADMIN', keyId: key.id };
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
