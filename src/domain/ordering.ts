export type SortDirection = 'asc' | 'desc';

export interface Ordering<Field extends string> {
  field: Field;
  direction: SortDirection;
}

/**
 * A Prisma orderBy that sorts by the chosen column and then by id, so that every ordering is
 * total and cursor pagination never skips or repeats a row.
 */
export function totalOrder<Field extends string>({ field, direction }: Ordering<Field>) {
  return [{ [field]: direction } as Record<Field, SortDirection>, { id: direction }];
}
