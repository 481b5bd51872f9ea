import { createSchema, createYoga } from 'graphql-yoga';
import { useTurns } from '../src/server/turns';
import { adminKey, app } from './support/graphql';

/** Counts the event loop's turns: a setImmediate callback runs once per turn. */
function countTurns() {
  let turns = 0;
  let counting = true;
  const tick = () => {
    turns += 1;
    if (counting) setImmediate(tick);
  };
  setImmediate(tick);
  return { now: () => turns, stop: () => void (counting = false) };
}

// yoga.fetch answers synchronously when nothing on the way waits.
const post = (fetch: (url: string, init: RequestInit) => Response | Promise<Response>, query: string, key?: string) =>
  Promise.resolve(fetch('http://rapport.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ query }),
  }),
);

describe('one request started per turn of the event loop', () => {
  it('starts requests that arrive together in arrival order, one per turn', async () => {
    const started: Array<{ request: number; turn: number }> = [];
    const turns = countTurns();
    const yoga = createYoga({
      schema: createSchema({
        typeDefs: 'type Query { work(request: Int!): Int! }',
        resolvers: { Query: { work: (_: unknown, { request }: { request: number }) => (started.push({ request, turn: turns.now() }), request) } },
      }),
      plugins: [useTurns()],
    });
    const answers = await Promise.all([1, 2, 3, 4].map((request) => post(yoga.fetch, `{ work(request: ${request}) }`).then((response) => response.json())));
    turns.stop();

    expect(answers.map((answer) => answer.data.work)).toEqual([1, 2, 3, 4]);
    expect(started.map(({ request }) => request)).toEqual([1, 2, 3, 4]);
    for (let i = 1; i < started.length; i++) expect(started[i].turn).toBeGreaterThan(started[i - 1].turn);
  });

  it('answers /health while the API requests that came with it wait their turns', async () => {
    const key = await adminKey();
    await post(app.fetch, '{ __typename }', key); // the key is cached from here on
    const answered: Array<{ what: string; turn: number }> = [];
    const turns = countTurns();
    const requests = [1, 2, 3].map((request) =>
      post(app.fetch, '{ __typename }', key).then(async (response) => {
        expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
        answered.push({ what: `request ${request}`, turn: turns.now() });
      }),
    );
    const health = Promise.resolve(app.fetch('http://rapport.test/health')).then((response) => {
      expect(response.status).toBe(200);
      answered.push({ what: 'health', turn: turns.now() });
    });
    await Promise.all([...requests, health]);
    turns.stop();

    expect(answered[0].what).toBe('health');
    const lastRequest = Math.max(...answered.slice(1).map(({ turn }) => turn));
    expect(lastRequest).toBeGreaterThan(answered[0].turn);
  });
});
