import { type Csr, type EdgeEnds, csrFromEdges } from '../graph/csr';
import { type GraphSnapshot, KINDS } from '../graph/snapshot';
import { flattenPages } from './paged-counts';

/** What the live store hands over for one version: shared arrays and pages, nothing copied. */
export interface SnapshotParts {
  key: string;
  version: number;
  sides: Uint8Array;
  ids: Int32Array;
  /** Pair p's two ends (edge p of the snapshot). */
  ends: EdgeEnds;
  /** The CSR when the store's base is current; else it is built from `ends`. */
  base: Csr | null;
  /** Relations per pair and kind in PagedCounts pages, `pairCount` pairs in all. */
  countPages: Int32Array[];
  pairCount: number;
}

/**
 * A snapshot of the live store whose CSR and flat counts are assembled from its parts on first
 * use, by whoever reads them first: the analytics worker, so that taking a snapshot costs the
 * request thread no O(pairs) work. It crosses to the worker as its parts (`snapshotMessage`).
 */
export class StoreSnapshot implements GraphSnapshot {
  readonly key: string;
  readonly version: number;
  readonly sides: Uint8Array;
  readonly ids: Int32Array;
  readonly ends: EdgeEnds;
  private assembledCsr: Csr | undefined;
  private flatCounts: Int32Array | undefined;

  constructor(readonly parts: SnapshotParts) {
    ({ key: this.key, version: this.version, sides: this.sides, ids: this.ids, ends: this.ends } = parts);
  }

  get csr(): Csr {
    const { base, sides, ends } = this.parts;
    this.assembledCsr ??= base ?? csrFromEdges(sides.length, ends.sources, ends.targets);
    return this.assembledCsr;
  }

  get kindCounts(): Int32Array {
    this.flatCounts ??= flattenPages(this.parts.countPages, this.parts.pairCount, KINDS.length);
    return this.flatCounts;
  }
}

/** A snapshot as posted to a worker: a store snapshot as its parts, any other whole. */
export type SnapshotMessage = { parts: SnapshotParts } | { whole: GraphSnapshot };

export function snapshotMessage(snapshot: GraphSnapshot): SnapshotMessage {
  return snapshot instanceof StoreSnapshot ? { parts: snapshot.parts } : { whole: snapshot };
}

export function snapshotFromMessage(message: SnapshotMessage): GraphSnapshot {
  return 'parts' in message ? new StoreSnapshot(message.parts) : message.whole;
}
