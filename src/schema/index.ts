import { lexicographicSortSchema, printSchema } from 'graphql';
import { builder } from './builder';
import './errors';
import './lookups';
import './relation';
import './consumer';
import './provider';
import './analytics';
import './overview';
import './recommendations';
import './relationships';
import './segments';
import './security';
import './merges';
import './subscriptions';
import './webhooks';
import { auditMutations } from './audit';
import { scopeCursors } from './cursors';

export const schema = scopeCursors(auditMutations(builder.toSchema()));

/** The SDL committed as schema.graphql: sorted, so that diffs show only real changes. */
export function printedSchema(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
