import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Caller } from '../auth/caller';

/**
 * Caps the subscriptions one API key holds open at once: each holds a connection and listeners,
 * so one key must not be able to open thousands. A refused subscription gets a typed error.
 */
export function useStreamLimit(maxPerKey: number): Plugin<{ caller?: Caller }> {
  const open = new Map<number, number>();
  const release = (keyId: number) => {
    const left = (open.get(keyId) ?? 1) - 1;
    if (left > 0) open.set(keyId, left);
    else open.delete(keyId);
  };
  return {
    onSubscribe({ args, setResultAndStopExecution }) {
      const caller = args.contextValue.caller;
      if (!caller || !('keyId' in caller)) return;
      const { keyId } = caller;
      if ((open.get(keyId) ?? 0) >= maxPerKey) {
        setResultAndStopExecution({
          errors: [
            new GraphQLError(`This API key already has ${maxPerKey} open subscriptions, the most it may hold; close one first`, {
              extensions: { code: 'TOO_MANY_STREAMS', limit: maxPerKey },
            }),
          ],
        });
        return;
      }
      open.set(keyId, (open.get(keyId) ?? 0) + 1);
      let released = false;
      const releaseOnce = () => {
        if (released) return;
        released = true;
        release(keyId);
      };
      return {
        onSubscribeResult({ result }) {
          if (!(Symbol.asyncIterator in result)) {
            releaseOnce();
            return;
          }
          return { onEnd: releaseOnce };
        },
        onSubscribeError: releaseOnce,
      };
    },
  };
}
