import { encodeGlobalID } from '@pothos/plugin-relay';
import { DomainError } from '../domain/errors';

/** Who is asking: the subject of the request's API key, or nobody. */
export type Caller =
  | { role: 'ANONYMOUS' }
  | { role: 'ADMIN'; keyId: number }
  | { role: 'PROVIDER'; keyId: number; providerId: number }
  | { role: 'CONSUMER'; keyId: number; consumerId: number };

export const ANONYMOUS: Caller = { role: 'ANONYMOUS' };

/** The global ID of the party a caller acts as, if any. */
export function callerSubject(caller: Caller): string | null {
  if (caller.role === 'PROVIDER') return encodeGlobalID('Provider', caller.providerId);
  if (caller.role === 'CONSUMER') return encodeGlobalID('Consumer', caller.consumerId);
  return null;
}

/** The request's credentials are missing where required, malformed, unknown or revoked. */
export class AuthenticationError extends DomainError {
  constructor(message: string) {
    super(message);
    this.name = 'AuthenticationError';
  }
}

/** The caller is known but may not do this. */
export class ForbiddenError extends DomainError {
  constructor(message: string) {
    super(message);
    this.name = 'ForbiddenError';
  }
}

export function describeCaller(caller: Caller): string {
  switch (caller.role) {
    case 'ANONYMOUS':
      return 'a request without an API key';
    case 'ADMIN':
      return 'an admin key';
    default:
      return `the key of ${caller.role.toLowerCase()} ${callerSubject(caller)}`;
  }
}
