import { BlockList, isIP } from 'node:net';
import type { TargetNetwork } from '../../config';

/**
 * Which addresses a webhook may reach (server-side request forgery): public ones, plus the kinds
 * of non-public network the configuration allows. Unspecified, multicast, broadcast and other
 * reserved addresses are never reachable.
 */
const NETWORKS: Record<TargetNetwork | 'reserved', [string, number, 'ipv4' | 'ipv6'][]> = {
  loopback: [
    ['127.0.0.0', 8, 'ipv4'],
    ['::1', 128, 'ipv6'],
  ],
  private: [
    ['10.0.0.0', 8, 'ipv4'],
    ['172.16.0.0', 12, 'ipv4'],
    ['192.168.0.0', 16, 'ipv4'],
    ['100.64.0.0', 10, 'ipv4'],
    ['198.18.0.0', 15, 'ipv4'],
    ['fc00::', 7, 'ipv6'],
  ],
  'link-local': [
    ['169.254.0.0', 16, 'ipv4'],
    ['fe80::', 10, 'ipv6'],
  ],
  reserved: [
    ['0.0.0.0', 8, 'ipv4'],
    ['192.0.0.0', 24, 'ipv4'],
    ['192.0.2.0', 24, 'ipv4'],
    ['198.51.100.0', 24, 'ipv4'],
    ['203.0.113.0', 24, 'ipv4'],
    ['224.0.0.0', 4, 'ipv4'],
    ['240.0.0.0', 4, 'ipv4'],
    ['::', 128, 'ipv6'],
    ['64:ff9b::', 96, 'ipv6'],
    ['100::', 64, 'ipv6'],
    ['2001:db8::', 32, 'ipv6'],
    ['ff00::', 8, 'ipv6'],
  ],
};

function blockList(networks: [string, number, 'ipv4' | 'ipv6'][]): BlockList {
  const list = new BlockList();
  for (const [address, prefix, family] of networks) list.addSubnet(address, prefix, family);
  return list;
}

const LISTS = Object.fromEntries(Object.entries(NETWORKS).map(([name, networks]) => [name, blockList(networks)])) as Record<
  TargetNetwork | 'reserved',
  BlockList
>;

/** `::ffff:10.0.0.1` is 10.0.0.1: mapped addresses are judged as the IPv4 address they carry. */
function unmapped(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return { address: mapped[1], family: 'ipv4' };
  return { address, family: isIP(address) === 6 ? 'ipv6' : 'ipv4' };
}

/** Why an address may not be reached, or null when it may. */
export function refusedAddress(address: string, allowed: ReadonlySet<TargetNetwork>): string | null {
  const { address: plain, family } = unmapped(address);
  if (LISTS.reserved.check(plain, family)) return `${address} is a reserved address`;
  for (const network of ['loopback', 'private', 'link-local'] as const) {
    if (LISTS[network].check(plain, family) && !allowed.has(network)) {
      return `${address} is a ${network} address, which webhooks may not reach (WEBHOOK_ALLOW_TARGETS)`;
    }
  }
  return null;
}
