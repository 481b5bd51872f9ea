import { randomUUID } from 'node:crypto';
import { type LivePubSub, createPubSub } from '../src/live/pubsub';

// A Redis server runs on 127.0.0.1:6379 where the tests run (REDIS_URL may name another).
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

type Topics = Record<string, [payload: { relationId: number }]>;

const opened: LivePubSub<Topics>[] = [];
const open = (url?: string) => {
  const live = createPubSub<Topics>(url);
  opened.push(live);
  return live.pubSub;
};

afterAll(() => Promise.all(opened.map((live) => live.close())));

/** The first event `subscribe` yields, once `publish` has run after the subscription is live. */
async function firstEvent(subscriber: ReturnType<typeof open>, publisher: ReturnType<typeof open>, topic: string) {
  const events = subscriber.subscribe(topic);
  const next = events.next();
  // Redis confirms a SUBSCRIBE asynchronously: publish until the subscriber hears it.
  const publishing = setInterval(() => publisher.publish(topic, { relationId: 7 }), 50);
  try {
    return (await next).value;
  } finally {
    clearInterval(publishing);
    await events.return();
  }
}

it('carries an event published in one process-wide pub/sub to another through Redis', async () => {
  const topic = `test:${randomUUID()}`; // other runs may share the Redis server
  expect(await firstEvent(open(redisUrl), open(redisUrl), topic)).toEqual({ relationId: 7 });
});

it('keeps events within one pub/sub when no Redis is configured', async () => {
  const topic = `test:${randomUUID()}`;
  const local = open();
  expect(await firstEvent(local, local, topic)).toEqual({ relationId: 7 });
  const other = open();
  const events = other.subscribe(topic);
  const next = events.next();
  local.publish(topic, { relationId: 8 });
  const silence = new Promise((resolve) => setTimeout(() => resolve('nothing arrived'), 200));
  expect(await Promise.race([next, silence])).toBe('nothing arrived');
  await events.return();
});
