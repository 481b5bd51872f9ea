import { retryDelay } from '../../src/live/webhooks/deliveries';
import { refusedAddress } from '../../src/live/webhooks/targets';

const NONE = new Set<never>();

it('refuses loopback, private, link-local and reserved addresses unless their kind is allowed', () => {
  const refusedKind: [string, RegExp][] = [
    ['127.0.0.1', /loopback/],
    ['::1', /loopback/],
    ['::ffff:127.0.0.1', /loopback/],
    ['10.0.0.7', /private/],
    ['172.31.255.1', /private/],
    ['192.168.1.1', /private/],
    ['100.64.0.1', /private/],
    ['fd12:3456::1', /private/],
    ['169.254.169.254', /link-local/],
    ['fe80::1', /link-local/],
    ['0.0.0.0', /reserved/],
    ['224.0.0.1', /reserved/],
    ['255.255.255.255', /reserved/],
    ['::', /reserved/],
    ['64:ff9b::a00:1', /reserved/],
  ];
  for (const [address, kind] of refusedKind) expect([address, refusedAddress(address, NONE)]).toEqual([address, expect.stringMatching(kind)]);
  for (const address of ['93.184.215.14', '172.32.0.1', '2606:4700::1111', '::ffff:8.8.8.8']) expect(refusedAddress(address, NONE)).toBeNull();
  expect(refusedAddress('127.0.0.1', new Set(['loopback'] as const))).toBeNull();
  expect(refusedAddress('10.0.0.7', new Set(['loopback'] as const))).toMatch(/private/);
  expect(refusedAddress('0.0.0.0', new Set(['loopback', 'private', 'link-local'] as const))).toMatch(/reserved/);
});

it('doubles the retry delay from the base, with jitter between half and all of it, up to an hour', () => {
  expect(retryDelay(1, 1000, () => 0)).toBe(500);
  expect(retryDelay(1, 1000, () => 0.999999)).toBe(1000);
  expect(retryDelay(4, 1000, () => 0)).toBe(4000);
  expect(retryDelay(40, 1000, () => 0.999999)).toBeCloseTo(3_600_000, -1);
  expect(retryDelay(40, 1000, () => 0)).toBe(1_800_000);
  const delays = Array.from({ length: 200 }, () => retryDelay(3, 1000));
  expect(Math.min(...delays)).toBeGreaterThanOrEqual(2000);
  expect(Math.max(...delays)).toBeLessThanOrEqual(4000);
  expect(new Set(delays).size).toBeGreaterThan(50);
});
