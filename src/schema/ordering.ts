import type { Ordering, SortDirection } from '../domain/ordering';
import { builder } from './builder';

export const OrderDirection = builder.enumType('OrderDirection', {
  description: 'ASC: smallest (or oldest, or A) first; DESC: largest first.',
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
    description: `What ${typeName} sorts by.`,
    values: Object.fromEntries(Object.entries(fields).map(([name, value]) => [name, { value }])),
  });
  const defaultField = Object.entries(fields).find(([, value]) => value === defaults.field)?.[0];
  const Input = builder.inputType(typeName, {
    description: `An order for a list (default: ${defaultField} ${defaults.direction.toUpperCase()}); ties are broken by ID, so pages never skip or repeat.`,
    fields: (t) => ({
      field: t.field({ type: FieldEnum, required: true, description: 'What to sort by.' }),
      direction: t.field({ type: OrderDirection, required: false, description: `Defaults to ${defaults.direction.toUpperCase()}.` }),
    }),
  });
  const resolve = (order: { field: string; direction?: SortDirection | null } | null | undefined): Ordering<Field> =>
    order ? { field: order.field as Field, direction: order.direction ?? defaults.direction } : defaults;
  return { Input, resolve };
}
