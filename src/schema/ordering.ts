import type { Ordering, SortDirection } from '../domain/ordering';
import { builder } from './builder';

export const OrderDirection = builder.enumType('OrderDirection', {
  values: { ASC: { value: 'asc' }, DESC: { value: 'desc' } } as const,
});

/**
 * An `orderBy` input over the given fields. Results are always also sorted by ID, so that every
 * ordering is stable under pagination.
 */
export function orderInput<Field extends string>(
  typeName: string,
  fields: Record<string, Field>,
  defaults: Ordering<Field>,
) {
  const FieldEnum = builder.enumType(`${typeName}Field`, {
    values: Object.fromEntries(Object.entries(fields).map(([name, value]) => [name, { value }])),
  });
  const Input = builder.inputType(typeName, {
    fields: (t) => ({
      field: t.field({ type: FieldEnum, required: true }),
      direction: t.field({ type: OrderDirection, required: false }),
    }),
  });
  const resolve = (order: { field: string; direction?: SortDirection | null } | null | undefined): Ordering<Field> =>
    order ? { field: order.field as Field, direction: order.direction ?? defaults.direction } : defaults;
  return { Input, resolve };
}
