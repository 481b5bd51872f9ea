import { type OutputType, type SchemaTypes, brandWithType } from '@pothos/core';
import type { Caller } from '../auth/caller';
import { visibleConsumers, visibleRelations } from '../auth/scopes';
import { db } from '../db/client';
import { builder } from './builder';
import { parseGlobalId } from './ids';

/** At most this many IDs per `nodes` call: each one is a row to read. */
export const MAX_NODE_IDS = 100;

/**
 * Each node type's rows by database ID, read within what the caller may see, as lists are. A row
 * the caller may not see is not found, so to a non-admin a forbidden ID and a missing one look alike.
 */
const visibleRows: Record<string, (ids: number[], caller: Caller) => Promise<{ id: number }[]>> = {
  Consumer: (ids, caller) => db().consumer.findMany({ where: { AND: [{ id: { in: ids } }, visibleConsumers(caller)] } }),
  Provider: (ids) => db().provider.findMany({ where: { id: { in: ids } } }),
  Relation: (ids, caller) => db().relation.findMany({ where: { AND: [{ id: { in: ids } }, visibleRelations(caller)] } }),
};

/** The objects named by global IDs, in the order asked, with null for each one the caller cannot see or that does not exist. */
async function loadNodes(globalIds: readonly string[], caller: Caller, field: (index: number) => string) {
  const wanted = globalIds.map((globalId, index) => parseGlobalId(globalId, field(index)));
  const found = new Map<string, object>();
  await Promise.all(
    Object.entries(visibleRows).map(async ([typename, read]) => {
      const ids = wanted.filter((node) => node.typename === typename).map((node) => node.id);
      if (ids.length === 0) return;
      for (const row of await read([...new Set(ids)], caller)) {
        brandWithType(row, typename as OutputType<SchemaTypes>);
        found.set(`${typename}:${row.id}`, row);
      }
    }),
  );
  return wanted.map((node) => found.get(`${node.typename}:${node.id}`) ?? null);
}

builder.queryFields((t) => ({
  node: t.field({
    type: builder.nodeInterfaceRef(),
    nullable: true,
    description:
      'The consumer, provider or relation with this global ID (Relay Global Object Identification). Null when none exists, it was deleted, or the caller may not see it.',
    args: { id: t.arg.id({ required: true, description: 'A global ID, as returned in any `id` field.' }) },
    resolve: async (_root, { id }, { caller }) => (await loadNodes([id], caller, () => 'id'))[0],
  }),
  nodes: t.field({
    type: [builder.nodeInterfaceRef()],
    nullable: { list: false, items: true },
    description: `The objects with these global IDs, in the same order, with null in the place of each ID that \`node\` would answer null for. At most ${MAX_NODE_IDS} IDs.`,
    args: { ids: t.arg.idList({ required: true, description: `Global IDs, at most ${MAX_NODE_IDS}.` }) },
    // Longer lists are refused before execution, as every list argument is (src/server/cost.ts).
    resolve: (_root, { ids }, { caller }) => loadNodes(ids, caller, (index) => `ids.${index}`),
  }),
}));
