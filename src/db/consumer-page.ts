import { isDeepStrictEqual } from 'node:util';
import type { Consumer, Provider, Relation } from '../generated/prisma/client';
import { type PreparedRead, driver } from './driver';
import { CONSUMER, PROVIDER, RELATION, readConsumer, rowReader, selectList } from './rows';

/**
 * The API's hottest read, a consumer with its newest relations and their providers (a front
 * end's consumer page), through the driver's prepared statements instead of Prisma, whose
 * per-query planning costs more than the database does here; on SQLite both reads share one
 * snapshot. It answers exactly what
 * `db().consumer.findUnique({ where: { id }, include: { relations: { orderBy: newest first,
 * take, include: { provider: true } } } })` answers (test/consumer-page.test.ts holds both to it).
 */

export type ConsumerPage = Consumer & { relations: (Relation & { provider: Provider })[] };

const readRelation = rowReader(RELATION);
const readProvider = rowReader(PROVIDER, Object.keys(RELATION).length);

let statements: { consumer: PreparedRead; relations: PreparedRead } | undefined;

/** The page's two statements: the consumer, and its newest relations (read in index order). */
export function consumerPageStatements() {
  statements ??= {
    consumer: { name: 'rapport_consumer_page', sql: `SELECT ${selectList('Consumer', CONSUMER)} FROM "Consumer" WHERE "id" = $1` },
    relations: {
      name: 'rapport_consumer_page_relations',
      sql: `SELECT ${selectList('Relation', RELATION)}, ${selectList('Provider', PROVIDER)}
              FROM "Relation" JOIN "Provider" ON "Provider"."id" = "Relation"."providerId"
             WHERE "Relation"."consumerId" = $1
             ORDER BY "Relation"."occurredAt" DESC, "Relation"."id" DESC LIMIT $2`,
    },
  };
  return statements;
}

export async function consumerPage(id: number, take: number): Promise<ConsumerPage | null> {
  const { consumer, relations } = consumerPageStatements();
  const [[row], rows] = await driver().rowsOfEach([
    [consumer, [id]],
    [relations, [id, take]],
  ]);
  if (!row) return null;
  const page = readConsumer(row) as ConsumerPage;
  page.relations = rows.map((values) => {
    const relation = readRelation(values) as Relation & { provider: Provider };
    relation.provider = readProvider(values);
    return relation;
  });
  return page;
}

/** The Prisma arguments (less `where`) that ask for a consumer page of `take` relations, every one visible. */
function consumerPageQuery(take: number, scope: object) {
  return {
    include: {
      relations: { where: { AND: [{}, scope] }, orderBy: [{ occurredAt: 'desc' }, { id: 'desc' }], take, skip: 0, include: { provider: true } },
    },
  };
}

/**
 * How many relations `query` (Pothos's Prisma arguments for a `consumer(id)` field) asks of a
 * consumer page, when it asks for exactly that (every relation of consumer `id`, newest first,
 * with their providers, from the first): else undefined, and Prisma answers.
 */
export function consumerPageSize(id: number, query: object): number | undefined {
  const take = (query as { include?: { relations?: { take?: unknown } } }).include?.relations?.take;
  if (typeof take !== 'number') return undefined;
  const everyRelation = [{}, { consumerId: id }].some((scope) => isDeepStrictEqual(query, consumerPageQuery(take, scope)));
  return everyRelation ? take : undefined;
}
