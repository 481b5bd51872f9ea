import type { PartyRef } from '../../db/party';
import { type GraphSnapshot, SIDES, nodeFinder, partyAt } from '../graph/snapshot';

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
 * The communities of a partition as the API answers them: `membership` holds a community number
 * per node of `snapshot` (0 the largest), `sizes` their sizes. Nothing is made per community or
 * per member until a question lists them. At 1M relations a partition holds about 10,000
 * communities over 102,000 nodes and is recomputed as writes stream in: objects made for all of
 * them lived until the next recomputation, long enough for the request thread's collector to copy
 * them twice and move them to the old generation, and its pauses held up the requests.
 */
export class Communities {
  private counts?: Int32Array;
  private grouped?: { order: Int32Array; offsets: Int32Array };

  constructor(
    readonly snapshot: GraphSnapshot,
    readonly membership: Int32Array,
    private readonly sizes: readonly number[],
  ) {}

  get count(): number {
    return this.sizes.length;
  }

  /**
   * Each node's community in `snapshot`'s node order, -1 for a node this partition has not seen:
   * its own membership (not to be changed) when `snapshot` is the one it was computed on.
   */
  membershipOn(snapshot: GraphSnapshot): Int32Array {
    if (snapshot === this.snapshot) return this.membership;
    const nodeOf = nodeFinder(snapshot);
    const membership = new Int32Array(snapshot.ids.length).fill(-1);
    for (let index = 0; index < this.count; index++) {
      for (const member of this.at(index)!.members()) {
        const node = nodeOf(member.party, member.id);
        if (node >= 0) membership[node] = index;
      }
    }
    return membership;
  }

  /** The community numbered `index`, or undefined when there is none. */
  at(index: number): Community | undefined {
    if (!(index >= 0 && index < this.sizes.length)) return undefined;
    const size = this.sizes[index];
    const consumerCount = (this.counts ??= this.consumerCounts())[index];
    return { index, size, consumerCount, members: (offset = 0, limit = size) => this.members(index, offset, limit) };
  }

  /** `limit` communities from `offset`, largest first. */
  page(offset: number, limit: number): Community[] {
    const end = Math.min(offset + limit, this.sizes.length);
    return Array.from({ length: Math.max(0, end - offset) }, (_, i) => this.at(offset + i)!);
  }

  private members(index: number, offset: number, limit: number): PartyRef[] {
    const { order, offsets } = (this.grouped ??= this.groupByCommunity());
    const start = offsets[index] + Math.min(offset, this.sizes[index]);
    return Array.from(order.subarray(start, Math.min(start + limit, offsets[index + 1])), (node) => partyAt(this.snapshot, node));
  }

  private consumerCounts(): Int32Array {
    const consumerSide = SIDES.indexOf('consumer');
    const counts = new Int32Array(this.sizes.length);
    const { membership, snapshot } = this;
    for (let node = 0; node < membership.length; node++) if (snapshot.sides[node] === consumerSide) counts[membership[node]]++;
    return counts;
  }

  /** The nodes ordered by community (a counting sort), each community's from its offset on. */
  private groupByCommunity(): { order: Int32Array; offsets: Int32Array } {
    const { membership, sizes } = this;
    const offsets = new Int32Array(sizes.length + 1);
    sizes.forEach((size, community) => (offsets[community + 1] = offsets[community] + size));
    const next = offsets.slice(0, sizes.length);
    const order = new Int32Array(membership.length);
    for (let node = 0; node < membership.length; node++) order[next[membership[node]]++] = node;
    return { order, offsets };
  }
}
