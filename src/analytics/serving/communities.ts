import type { PartyRef } from '../../db/party';
import { type GraphSnapshot, SIDES, partyAt } from '../graph/snapshot';

/** One community of a partition: its counts at once, its members listed when asked. */
export interface Community {
  /** 0 for the largest, then by size. */
  index: number;
  size: number;
  consumerCount: number;
  /** Its members in the graph's node order: `limit` of them from `offset`, all by default. */
  members(offset?: number, limit?: number): PartyRef[];
}

/**
 * The communities of `membership` (a community number per node of `snapshot`, 0 the largest,
 * `sizes` theirs) as the API answers them. Members stay node numbers until a question lists them:
 * at 1M relations a partition covers 102,000 nodes and is recomputed as writes stream in, and an
 * object per member, made on the request thread each time, held up the requests behind it and
 * filled the old generation for the collector.
 */
export function communitiesOf(snapshot: GraphSnapshot, membership: Int32Array, sizes: number[]): Community[] {
  const consumerSide = SIDES.indexOf('consumer');
  const consumerCounts = new Int32Array(sizes.length);
  for (let node = 0; node < membership.length; node++) if (snapshot.sides[node] === consumerSide) consumerCounts[membership[node]]++;
  let grouped: { order: Int32Array; offsets: Int32Array } | undefined;
  const membersOf = (index: number, offset = 0, limit = sizes[index]) => {
    const { order, offsets } = (grouped ??= groupByCommunity(membership, sizes));
    const start = offsets[index] + Math.min(offset, sizes[index]);
    return Array.from(order.subarray(start, Math.min(start + limit, offsets[index + 1])), (node) => partyAt(snapshot, node));
  };
  return sizes.map((size, index) => ({ index, size, consumerCount: consumerCounts[index], members: (offset, limit) => membersOf(index, offset, limit) }));
}

/** The nodes ordered by community (a counting sort), each community's from its offset on. */
function groupByCommunity(membership: Int32Array, sizes: number[]): { order: Int32Array; offsets: Int32Array } {
  const offsets = new Int32Array(sizes.length + 1);
  sizes.forEach((size, community) => (offsets[community + 1] = offsets[community] + size));
  const next = offsets.slice(0, sizes.length);
  const order = new Int32Array(membership.length);
  for (let node = 0; node < membership.length; node++) order[next[membership[node]]++] = node;
  return { order, offsets };
}
