import type { CentralityMetric } from '../analytics/graph/centrality';
import type { Segment as RfmSegment } from '../analytics/graph/strength';
import { type WindowInput, resolveWindow } from '../analytics/serving/window';
import type { RelationKind } from '../generated/prisma/enums';
import { type FieldIssue, InvalidInputError } from './errors';

/**
 * A saved segment's definition: conditions on a consumer, combined with and/or/not. Stored as
 * JSON in this normalised form (numeric IDs; windows as given, so a rolling one keeps rolling).
 * docs/segments.md says what each condition means.
 */
export type SegmentCondition =
  | { and: SegmentCondition[] }
  | { or: SegmentCondition[] }
  | { not: SegmentCondition }
  | { relations: RelationsCondition }
  | { strength: { providerId: number; min: number | null; max: number | null } }
  | { relationshipSegment: { providerId: number; in: RfmSegment[] } }
  | { community: { index: number } }
  | { centrality: { metric: CentralityMetric; maxRank: number | null; topPercent: number | null } }
  | { distance: { providerId: number; maxHops: number } }
  | { marketingConsent: boolean };

export interface RelationsCondition {
  /** Only relations of these kinds; all when empty. */
  kinds: RelationKind[];
  /** Only relations with this provider; with any when null. */
  providerId: number | null;
  window: StoredWindow | null;
  minCount: number | null;
  maxCount: number | null;
  /** Amount bounds (minor units) over the relations' amounts in `currency`. */
  amount: { currency: string; min: number | null; max: number | null } | null;
}

export interface StoredWindow {
  from: string | null;
  to: string | null;
  last: string | null;
}

/** The definition as the API takes it: one field set per condition, IDs already parsed. */
export interface ConditionInput {
  and?: ConditionInput[] | null;
  or?: ConditionInput[] | null;
  not?: ConditionInput | null;
  relations?: {
    kinds?: RelationKind[] | null;
    providerId?: number | null;
    window?: WindowInput | null;
    minCount?: number | null;
    maxCount?: number | null;
    amount?: { currency: string; min?: number | null; max?: number | null } | null;
  } | null;
  strength?: { providerId?: number | null; min?: number | null; max?: number | null } | null;
  relationshipSegment?: { providerId?: number | null; in: RfmSegment[] } | null;
  community?: { index: number } | null;
  centrality?: { metric: CentralityMetric; maxRank?: number | null; topPercent?: number | null } | null;
  distance?: { providerId: number; maxHops: number } | null;
  marketingConsent?: boolean | null;
}

export const SEGMENT_LIMITS = {
  /** Nesting of and/or/not, at most. */
  depth: 6,
  /** Conditions in one definition, combinators included. */
  conditions: 64,
  /** Items of one and/or. */
  items: 16,
  maxHops: 8,
  count: 1_000_000_000,
};

/** Whose segment it is: the platform's (admins) or one provider's, over its own customers only. */
export type SegmentOwner = { providerId: number | null };

/** Graph facts about consumers beyond their relations with the owner: the platform's to ask, not a provider's. */
const PLATFORM_ONLY = ['community', 'centrality', 'distance'] as const;

/** Validates a definition, every problem reported with its field path; returns the normalised form. */
export function parseDefinition(input: ConditionInput, owner: SegmentOwner, field = 'definition'): SegmentCondition {
  const issues: FieldIssue[] = [];
  let conditions = 0;
  const problem = (path: string, message: string) => issues.push({ field: path, message });
  const range = (path: string, min: number | null | undefined, max: number | null | undefined, low: number, high: number) => {
    for (const [name, value] of [['min', min], ['max', max]] as const) {
      if (value != null && !(value >= low && value <= high)) problem(`${path}.${name}`, `must be from ${low} to ${high}`);
    }
    if (min != null && max != null && min > max) problem(`${path}.max`, 'must not be less than `min`');
  };
  const ownProvider = (path: string, providerId: number | null | undefined): number => {
    if (owner.providerId !== null && providerId != null && providerId !== owner.providerId) {
      problem(path, 'a provider’s segment may only name that provider');
    }
    if (providerId == null && owner.providerId === null) problem(path, 'is required in a platform segment');
    return providerId ?? owner.providerId ?? -1;
  };

  const parse = (condition: ConditionInput, path: string, depth: number): SegmentCondition => {
    if (++conditions === SEGMENT_LIMITS.conditions + 1) problem(field, `must have at most ${SEGMENT_LIMITS.conditions} conditions`);
    const given = Object.entries(condition).filter(([, value]) => value != null);
    if (given.length !== 1) {
      problem(path, `must set exactly one of and, or, not, relations, strength, relationshipSegment, community, centrality, distance, marketingConsent (${given.length} set)`);
      return { and: [] };
    }
    const [name, value] = given[0] as [keyof ConditionInput, never];
    const at = `${path}.${name}`;
    if (owner.providerId !== null && (PLATFORM_ONLY as readonly string[]).includes(name)) {
      problem(at, 'is for platform segments only: it reads consumers’ relations with other providers');
    }
    if ((name === 'and' || name === 'or' || name === 'not') && depth >= SEGMENT_LIMITS.depth) {
      problem(at, `nests deeper than ${SEGMENT_LIMITS.depth} levels`);
      return { and: [] };
    }
    switch (name) {
      case 'and':
      case 'or': {
        const items = value as ConditionInput[];
        if (items.length === 0 || items.length > SEGMENT_LIMITS.items) problem(at, `must have from 1 to ${SEGMENT_LIMITS.items} conditions`);
        const parsed = items.slice(0, SEGMENT_LIMITS.items).map((item, index) => parse(item, `${at}.${index}`, depth + 1));
        return name === 'and' ? { and: parsed } : { or: parsed };
      }
      case 'not':
        return { not: parse(value, at, depth + 1) };
      case 'relations': {
        const relations = value as NonNullable<ConditionInput['relations']>;
        range(at, relations.minCount, relations.maxCount, 0, SEGMENT_LIMITS.count);
        if (relations.amount) range(`${at}.amount`, relations.amount.min, relations.amount.max, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
        if (relations.amount && !/^[A-Z]{3}$/.test(relations.amount.currency)) problem(`${at}.amount.currency`, 'must be an ISO 4217 code such as EUR');
        if (relations.minCount == null && relations.maxCount == null && !relations.amount) {
          problem(at, 'must bound the count (minCount, maxCount) or the amount');
        }
        const providerId = owner.providerId !== null ? ownProvider(`${at}.providerId`, relations.providerId) : (relations.providerId ?? null);
        return {
          relations: {
            kinds: [...new Set(relations.kinds ?? [])],
            providerId,
            window: storedWindow(relations.window, `${at}.window`, problem),
            minCount: relations.minCount ?? null,
            maxCount: relations.maxCount ?? null,
            amount: relations.amount ? { currency: relations.amount.currency, min: relations.amount.min ?? null, max: relations.amount.max ?? null } : null,
          },
        };
      }
      case 'strength': {
        const strength = value as NonNullable<ConditionInput['strength']>;
        range(at, strength.min, strength.max, 0, 1);
        if (strength.min == null && strength.max == null) problem(at, 'must set min, max or both');
        return { strength: { providerId: ownProvider(`${at}.providerId`, strength.providerId), min: strength.min ?? null, max: strength.max ?? null } };
      }
      case 'relationshipSegment': {
        const segment = value as NonNullable<ConditionInput['relationshipSegment']>;
        if (segment.in.length === 0) problem(`${at}.in`, 'must name at least one segment');
        return { relationshipSegment: { providerId: ownProvider(`${at}.providerId`, segment.providerId), in: [...new Set(segment.in)] } };
      }
      case 'community': {
        const { index } = value as NonNullable<ConditionInput['community']>;
        if (!(index >= 0 && index <= 1_000_000)) problem(`${at}.index`, 'must be from 0 to 1000000');
        return { community: { index } };
      }
      case 'centrality': {
        const centrality = value as NonNullable<ConditionInput['centrality']>;
        if ((centrality.maxRank == null) === (centrality.topPercent == null)) problem(at, 'must set exactly one of maxRank and topPercent');
        if (centrality.maxRank != null && !(centrality.maxRank >= 1 && centrality.maxRank <= SEGMENT_LIMITS.count)) {
          problem(`${at}.maxRank`, `must be from 1 to ${SEGMENT_LIMITS.count}`);
        }
        if (centrality.topPercent != null && !(centrality.topPercent > 0 && centrality.topPercent <= 100)) {
          problem(`${at}.topPercent`, 'must be more than 0 and at most 100');
        }
        return { centrality: { metric: centrality.metric, maxRank: centrality.maxRank ?? null, topPercent: centrality.topPercent ?? null } };
      }
      case 'distance': {
        const distance = value as NonNullable<ConditionInput['distance']>;
        if (!(distance.maxHops >= 1 && distance.maxHops <= SEGMENT_LIMITS.maxHops)) problem(`${at}.maxHops`, `must be from 1 to ${SEGMENT_LIMITS.maxHops}`);
        return { distance: { providerId: distance.providerId, maxHops: distance.maxHops } };
      }
      case 'marketingConsent':
        return { marketingConsent: value as boolean };
    }
    return { and: [] };
  };

  const parsed = parse(input, field, 0);
  if (issues.length > 0) throw new InvalidInputError(issues);
  return parsed;
}

function storedWindow(window: WindowInput | null | undefined, path: string, problem: (path: string, message: string) => void): StoredWindow | null {
  if (!window) return null;
  try {
    resolveWindow(window, Date.now(), path);
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    for (const issue of error.issues) problem(issue.field, issue.message);
  }
  return { from: window.from?.toISOString() ?? null, to: window.to?.toISOString() ?? null, last: window.last ?? null };
}

/** The providers a definition names, for checking that they exist. */
export function providersNamed(condition: SegmentCondition): number[] {
  if ('and' in condition) return condition.and.flatMap(providersNamed);
  if ('or' in condition) return condition.or.flatMap(providersNamed);
  if ('not' in condition) return providersNamed(condition.not);
  if ('relations' in condition) return condition.relations.providerId === null ? [] : [condition.relations.providerId];
  if ('strength' in condition) return [condition.strength.providerId];
  if ('relationshipSegment' in condition) return [condition.relationshipSegment.providerId];
  if ('distance' in condition) return [condition.distance.providerId];
  return [];
}
