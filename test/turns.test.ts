import { createSchema, createYoga } from 'graphql-yoga';
import { TURN_BUDGET_MS, useTurns } from '../src/server/turns';
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
  /** A yoga whose one field records the turn its request started in, then works for `busyMs`. */
  function recordingYoga(busyMs: number, budgetMs?: number) {
    const started: Array<{ request: number; turn: number }> = [];
    const turns = countTurns();
    const yoga = createYoga({
      schema: createSchema({
        typeDefs: 'type Query { work(request: Int!): Int! }',
        resolvers: {
          Query: {
            work: (_: unknown, { request }: { request: number }) => {
              started.push({ request, turn: turns.now() });
              for (const until = performance.now() + busyMs; performance.now() < until; );
              return request;
            },
          },
        },
      }),
      plugins: [useTurns(budgetMs)],
    });
    const ask = (requests: number[]) =>
      Promise.all(requests.map((request) => post(yoga.fetch, `{ work(request: ${request}) }`).then((response) => response.json()))).finally(turns.stop);
    return { started, ask };
  }

  it('starts requests that arrive together in arrival order, one per turn when each takes longer than a turn\'s budget', async () => {
    const { started, ask } = recordingYoga(3 * TURN_BUDGET_MS);
    const answers = await ask([1, 2, 3, 4]);
    expect(answers.map((answer) => answer.data.work)).toEqual([1, 2, 3, 4]);
    expect(started.map(({ request }) => request)).toEqual([1, 2, 3, 4]);
    for (let i = 1; i < started.length; i++) expect(started[i].turn).toBeGreaterThan(started[i - 1].turn);
  });

  it('starts several requests in one turn when they take less than its budget', async () => {
    // Under jest, a request through yoga takes a few milliseconds: the budget is scaled to match.
    const { started, ask } = recordingYoga(0, 100);
    const requests = Array.from({ length: 40 }, (_, i) => i + 1);
    await ask(requests);
    expect(started.map(({ request }) => request)).toEqual(requests);
    expect(new Set(started.map(({ turn }) => turn)).size).toBeLessThan(requests.length / 2);
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
