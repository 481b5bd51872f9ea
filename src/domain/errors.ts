import type { z } from 'zod';

export type EntityName = 'Consumer' | 'Provider' | 'Relation' | 'ApiKey' | 'WebhookEndpoint' | 'WebhookEvent' | 'Segment';

export interface FieldIssue {
  /** Dotted path of the offending input field, e.g. `rating` or `input.consumerId`. */
  field: string;
  message: string;
}

/** An error the caller caused and can fix; its message is safe to show to clients. */
export abstract class DomainError extends Error {}

export class InvalidInputError extends DomainError {
  constructor(readonly issues: FieldIssue[]) {
    super(`Invalid input: ${issues.map((issue) => `${issue.field}: ${issue.message}`).join('; ')}`);
    this.name = 'InvalidInputError';
  }

  static of(field: string, message: string): InvalidInputError {
    return new InvalidInputError([{ field, message }]);
  }
}

export class NotFoundError extends DomainError {
  constructor(
    readonly entity: EntityName,
    readonly field: string,
  ) {
    super(`${field}: no ${entity.toLowerCase()} with this ID exists`);
    this.name = 'NotFoundError';
  }
}

export class ConflictError extends DomainError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'ConflictError';
  }
}

export class RelationsExistError extends DomainError {
  constructor(
    readonly entity: EntityName,
    readonly relationCount: number,
  ) {
    super(
      `This ${entity.toLowerCase()} still has ${relationCount} relation(s); ` +
        'delete them first, or pass cascade: true to delete them together with it.',
    );
    this.name = 'RelationsExistError';
  }
}

/** Parses input with a zod schema, turning every problem into a FieldIssue. */
export function parseInput<Schema extends z.ZodType>(schema: Schema, input: unknown): z.output<Schema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new InvalidInputError(
    result.error.issues.map((issue) => ({
      field: issue.path.length > 0 ? issue.path.map(String).join('.') : '(input)',
      message: issue.message,
    })),
  );
}

/** A consumer whose personal data was erased cannot take part in a merge: nothing of it may come back. */
export class ErasedConsumerError extends DomainError {
  constructor(readonly field: string) {
    super(`${field}: this consumer was erased (eraseConsumer); an erased consumer cannot be merged or merged into`);
    this.name = 'ErasedConsumerError';
  }
}
