import type { Segment } from '../generated/prisma/client';
import { auditedTransaction } from './audit';
import { InvalidInputError, NotFoundError } from './errors';
import * as fields from './fields';
import { hasPrismaCode } from './prisma-errors';
import { type ConditionInput, type SegmentOwner, parseDefinition, providersNamed } from './segment-definition';

/** Segments one owner may have, at most: each is evaluated after every burst of writes. */
export const MAX_SEGMENTS_PER_OWNER = 100;

export interface SegmentInput {
  name?: string | null;
  definition?: ConditionInput | null;
}

function checkedName(name: string | null | undefined): string {
  const parsed = fields.name.safeParse(name ?? '');
  if (!parsed.success) throw InvalidInputError.of('input.name', parsed.error.issues[0].message);
  return parsed.data;
}

/** A definition validated for its owner, naming only providers that exist. */
async function checkedDefinition(tx: Parameters<Parameters<typeof auditedTransaction>[0]>[0], input: ConditionInput, owner: SegmentOwner): Promise<string> {
  const definition = parseDefinition(input, owner, 'input.definition');
  const named = [...new Set(providersNamed(definition))];
  const found = await tx.provider.count({ where: { id: { in: named } } });
  if (found !== named.length) throw InvalidInputError.of('input.definition', 'names a provider that does not exist');
  return JSON.stringify(definition);
}

export function createSegment(input: SegmentInput, owner: SegmentOwner): Promise<Segment> {
  const name = checkedName(input.name);
  if (!input.definition) throw InvalidInputError.of('input.definition', 'is required');
  const definitionInput = input.definition;
  return auditedTransaction(
    async (tx) => {
      const existing = await tx.segment.count({ where: { providerId: owner.providerId } });
      if (existing >= MAX_SEGMENTS_PER_OWNER) throw InvalidInputError.of('(input)', `an owner may have at most ${MAX_SEGMENTS_PER_OWNER} segments; delete one first`);
      const definition = await checkedDefinition(tx, definitionInput, owner);
      return tx.segment.create({ data: { name, definition, providerId: owner.providerId } });
    },
    (segment) => segment.id,
  );
}

/** Changes a segment's name or definition; a new definition is evaluated afresh. */
export async function updateSegment(id: number, input: SegmentInput): Promise<Segment> {
  try {
    return await auditedTransaction(async (tx) => {
      const segment = await tx.segment.findUniqueOrThrow({ where: { id } });
      const name = input.name == null ? undefined : checkedName(input.name);
      const definition = input.definition ? await checkedDefinition(tx, input.definition, { providerId: segment.providerId }) : undefined;
      return tx.segment.update({ where: { id }, data: { name, definition, ...(definition ? { evaluatedChange: -1 } : {}) } });
    });
  } catch (error) {
    if (hasPrismaCode(error, 'P2025')) throw new NotFoundError('Segment', 'id');
    throw error;
  }
}

export async function deleteSegment(id: number): Promise<void> {
  try {
    await auditedTransaction((tx) => tx.segment.delete({ where: { id } }));
  } catch (error) {
    if (hasPrismaCode(error, 'P2025')) throw new NotFoundError('Segment', 'id');
    throw error;
  }
}
