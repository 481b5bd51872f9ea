import type { Plugin } from 'graphql-yoga';

/** About how much of the request thread's time the requests started in one turn may take, by default. */
export const TURN_BUDGET_MS = 1;

/**
 * Starts admitted requests a few per turn of the event loop, in arrival order.
 *
 * node:http hands over in one turn every request that arrived together, and each would run to
 * its end at once (the driver's reads are synchronous): a `/health` or `/ready` probe, or an
 * answer back from the analytics worker, that came in with a burst waited for all of it. Queued
 * here, a turn starts requests for about `budgetMs` of work, by how long the last turn's
 * took, and what reached the loop meanwhile is served before the next ones: one request a turn
 * when requests are heavy, several when they are as cheap as `{ __typename }`, which would
 * otherwise pay a loop turn each.
 */
export function useTurns(budgetMs = TURN_BUDGET_MS): Plugin {
  const waiting: Array<() => void> = [];
  /** One request's share of the last turn; the budget at first, so that the first turn starts one. */
  let msPerRequest = budgetMs;
  let last: { at: number; started: number } | undefined;
  const turn = () => {
    const now = performance.now();
    if (last) msPerRequest = (now - last.at) / last.started;
    const started = Math.min(waiting.length, Math.max(1, Math.floor(budgetMs / msPerRequest)));
    for (const start of waiting.splice(0, started)) start();
    // Scheduled from this callback, the next turn comes after the loop has polled again.
    last = started > 0 ? { at: now, started } : undefined;
    if (last) setImmediate(turn);
  };
  return {
    onRequest: () =>
      new Promise<void>((start) => {
        if (waiting.push(start) === 1 && !last) setImmediate(turn);
      }),
  };
}
