import { ConflictError, ErasedConsumerError, InvalidInputError, NotFoundError, RelationsExistError } from '../domain/errors';
import { builder } from './builder';

export const ErrorInterface = builder.interfaceRef<Error>('Error').implement({
  description: 'A problem with the request that the caller can fix; `message` says what and how.',
  fields: (t) => ({ message: t.exposeString('message', { description: 'What was wrong, and what to do about it.' }) }),
});

const FieldIssue = builder.objectRef<InvalidInputError['issues'][number]>('FieldIssue').implement({
  description: 'One invalid input field and what is wrong with it.',
  fields: (t) => ({
    field: t.exposeString('field', { description: 'The input field at fault, e.g. `email` or `filter.occurredBefore`.' }),
    message: t.exposeString('message', { description: 'What is wrong with it.' }),
  }),
});

builder.objectType(InvalidInputError, {
  name: 'InvalidInputError',
  description: 'One or more input fields are invalid; nothing was written.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    issues: t.field({ type: [FieldIssue], description: 'Each invalid field, with what is wrong.', resolve: (error) => error.issues }),
  }),
});

builder.objectType(NotFoundError, {
  name: 'NotFoundError',
  description: 'An ID names nothing that exists; nothing was written.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    field: t.exposeString('field', { description: 'The input field holding the ID, e.g. `consumerId`.' }),
    entity: t.exposeString('entity', { description: 'What the ID should name: Consumer, Provider or Relation.' }),
  }),
});

builder.objectType(ConflictError, {
  name: 'ConflictError',
  description: 'The write would break a uniqueness rule; nothing was written.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ field: t.exposeString('field', { description: 'The input field whose value is taken, e.g. `email`.' }) }),
});

builder.objectType(RelationsExistError, {
  name: 'RelationsExistError',
  description: 'The consumer or provider still has relations; pass cascade: true to delete them too.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ relationCount: t.exposeInt('relationCount', { description: 'How many relations it still has.' }) }),
});

builder.objectType(ErasedConsumerError, {
  name: 'ErasedConsumerError',
  description: 'A consumer named was erased (eraseConsumer) and cannot take part; nothing was written.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ field: t.exposeString('field', { description: 'The argument naming the erased consumer, e.g. `from.1`.' }) }),
});

/** The typed errors a mutation that writes by ID can return. */
export const WRITE_ERRORS = [InvalidInputError, NotFoundError];

type ErrorClass = new (...args: never[]) => Error;

const lowerFirst = (name: string) => name.charAt(0).toLowerCase() + name.slice(1);

/**
 * Errors-plugin options for a mutation: a `<Name>Result` union of `<Name>Success`, whose field
 * `dataField` holds the result, and the listed error types.
 */
export function mutationResult(name: string, dataField: string, types: ErrorClass[]) {
  return {
    types,
    union: { name: `${name}Result`, description: `What ${lowerFirst(name)} returns: \`${name}Success\` or one of its typed errors; tell them apart by \`__typename\`.` },
    result: { name: `${name}Success`, description: `${name} worked; \`${dataField}\` holds the result.` },
    dataField: { name: dataField, description: `The ${dataField} as written.` },
  };
}
