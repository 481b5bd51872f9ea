import { type PubSub, createPubSub as createYogaPubSub } from 'graphql-yoga';

/** Each topic's publish arguments: a payload, or an id and a payload (as graphql-yoga's pub/sub takes them). */
type PubSubPublishArgsByKey = Record<string, [] | [any] | [number | string, any]>;

export interface LivePubSub<Topics extends PubSubPublishArgsByKey> {
  pubSub: PubSub<Topics>;
  /** Closes the Redis connections, if any. */
  close(): Promise<void>;
}

/**
 * The pub/sub that live events (subscriptions and whatever else all server processes must see
 * at once) go through. With a Redis URL, events travel through Redis, so every process behind a
 * load balancer receives them; without one they stay in this process, which then works alone.
 */
export function createPubSub<Topics extends PubSubPublishArgsByKey>(
  redisUrl?: string,
  onError: (error: Error) => void = () => {},
): LivePubSub<Topics> {
  if (!redisUrl) return { pubSub: createYogaPubSub<Topics>(), close: async () => {} };
  // Loaded only with Redis configured: a server without it never pays for ioredis.
  const { Redis } = require('ioredis') as typeof import('ioredis');
  const { createRedisEventTarget } = require('@graphql-yoga/redis-event-target') as typeof import('@graphql-yoga/redis-event-target');
  // A subscribed Redis connection can do nothing else, so publishing needs a second one.
  const publishClient = new Redis(redisUrl);
  const subscribeClient = new Redis(redisUrl);
  for (const client of [publishClient, subscribeClient]) client.on('error', onError);
  // The event target does not wait for a publish: while Redis is down, a failed one must be
  // reported, not become an unhandled rejection that ends the process.
  const publish = publishClient.publish.bind(publishClient);
  publishClient.publish = ((channel: string, message: string) =>
    publish(channel, message).catch((error: Error) => {
      onError(error);
      return 0;
    })) as typeof publishClient.publish;
  const eventTarget = createRedisEventTarget({ publishClient, subscribeClient });
  return {
    pubSub: createYogaPubSub<Topics>({ eventTarget }),
    close: async () => {
      await Promise.allSettled([publishClient.quit(), subscribeClient.quit()]);
    },
  };
}
