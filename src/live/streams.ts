import type { Caller } from '../auth/caller';
import { assertStillValid } from '../auth/keys';

/** How often a quiet stream checks that its key is still valid. */
const REVOCATION_CHECK_MS = 10_000;
const QUIET = Symbol('quiet');

/**
 * Ends the stream, with one AuthenticationError, once the caller's key is revoked: at the next
 * event, or within REVOCATION_CHECK_MS when none comes. A revoked key gets nothing more, and
 * holds no connection. (An iterator rather than a generator: a generator awaiting a quiet period
 * could not be ended when its client leaves.)
 */
export function untilRevoked<T>(caller: Caller, events: AsyncIterable<T>): AsyncIterableIterator<T> {
  const iterator = events[Symbol.asyncIterator]();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const stop = async (): Promise<IteratorResult<T>> => {
    closed = true;
    clearTimeout(timer);
    await iterator.return?.();
    return { done: true, value: undefined };
  };
  const next = async (): Promise<IteratorResult<T>> => {
    const pending = iterator.next();
    for (;;) {
      const quiet = new Promise<typeof QUIET>((resolve) => (timer = setTimeout(resolve, REVOCATION_CHECK_MS, QUIET).unref()));
      const result = await Promise.race([pending, quiet]);
      clearTimeout(timer);
      if (closed) return { done: true, value: undefined };
      try {
        await assertStillValid(caller);
      } catch (error) {
        await stop();
        throw error;
      }
      if (result !== QUIET) return result;
    }
  };
  return {
    next,
    return: stop,
    throw: async (error: unknown) => {
      await stop();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
