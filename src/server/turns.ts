import type { Plugin } from 'graphql-yoga';

/**
 * Starts one admitted request per turn of the event loop, in arrival order.
 *
 * node:http hands over in one turn every request that arrived together, and each would run to
 * its end at once (the driver's reads are synchronous): a `/health` or `/ready` probe, or an
 * answer back from the analytics worker, that came in with a burst waited for all of it. Queued
 * here, what reached the loop meanwhile is served between two requests, which keep their order.
 */
export function useTurns(): Plugin {
  const waiting: Array<() => void> = [];
  const startNext = () => {
    waiting.shift()!();
    // Scheduled from this callback, the next start waits for the loop's next turn.
    if (waiting.length > 0) setImmediate(startNext);
  };
  return {
    onRequest: () =>
      new Promise<void>((start) => {
        if (waiting.push(start) === 1) setImmediate(startNext);
      }),
  };
}
