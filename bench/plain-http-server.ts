import { createServer } from 'node:http';
import { config } from '../src/config';
import { db } from '../src/db/client';
import { relationOrderBy } from '../src/domain/relations';

/**
 * The baseline of bench/graphql-throughput.ts: a bare node:http handler that makes the database
 * reads the GraphQL query makes (one consumer, its newest relations with their providers'
 * names) and returns them as JSON. GET /consumer?id=N&first=20.
 */

const server = createServer(async (request, response) => {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const id = Number(url.searchParams.get('id'));
  const first = Number(url.searchParams.get('first') ?? 20);
  const consumer = await db().consumer.findUnique({
    where: { id },
    select: {
      name: true,
      email: true,
      relations: {
        take: first + 1, // as a connection does, to know whether there is a next page
        orderBy: relationOrderBy({ field: 'occurredAt', direction: 'desc' }),
        select: { id: true, kind: true, occurredAt: true, amountMinor: true, currency: true, rating: true, provider: { select: { name: true } } },
      },
    },
  });
  const body = consumer && { ...consumer, relations: consumer.relations.slice(0, first) };
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ data: { consumer: body } }));
});

server.listen(config().port, '127.0.0.1', () => console.log(`plain handler listening on ${config().port}`));
