import { ConflictError, InvalidInputError, NotFoundError, RelationsExistError } from '../domain/errors';
import { builder } from './builder';

export const ErrorInterface = builder.interfaceRef<Error>('Error').implement({
  description: 'A problem with the request that the caller can fix; `message` says what and how.',
  fields: (t) => ({ message: t.exposeString('message') }),
});

const FieldIssue = builder.objectRef<InvalidInputError['issues'][number]>('FieldIssue').implement({
  fields: (t) => ({
    field: t.exposeString('field', { description: 'The input field at fault, e.g. `email` or `filter.occurredBefore`.' }),
    message: t.exposeString('message', { description: 'What is wrong with it.' }),
  }),
});

builder.objectType(InvalidInputError, {
  name: 'InvalidInputError',
  description: 'One or more input fields are invalid; nothing was written.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ issues: t.field({ type: [FieldIssue], resolve: (error) => error.issues }) }),
});

builder.objectType(NotFoundError, {
  name: 'NotFoundError',
  description: 'An ID names nothing that exists; nothing was written.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ field: t.exposeString('field'), entity: t.exposeString('entity') }),
});

builder.objectType(ConflictError, {
  name: 'ConflictError',
  description: 'The write would break a uniqueness rule; nothing was written.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ field: t.exposeString('field') }),
});

builder.objectType(RelationsExistError, {
  name: 'RelationsExistError',
  description: 'The consumer or provider still has relations; pass cascade: true to delete them too.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ relationCount: t.exposeInt('relationCount') }),
});

/** The typed errors a mutation that writes by ID can return. */
export const WRITE_ERRORS = [InvalidInputError, NotFoundError];

type ErrorClass = new (...args: never[]) => Error;

/**
 * Errors-plugin options for a mutation: a `<Name>Result` union of `<Name>Success`, whose field
 * `dataField` holds the result, and the listed error types.
 */
export function mutationResult(name: string, dataField: string, types: ErrorClass[]) {
  return {
    types,
    union: { name: `${name}Result` },
    result: { name: `${name}Success` },
    dataField: { name: dataField },
  };
}
