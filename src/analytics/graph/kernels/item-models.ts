import { type Csr, PROVIDER } from '../csr';
import { coConsumptionIndex } from './co-consumption';
import { topBy } from './similarity';

/**
 * Item-to-item recommenders over the bipartite relation graph (docs/recommendations.md): a
 * model gives every pair of providers (i, j) a weight, and a consumer's score for a provider j
 * it does not use yet is Σ weight(i, j) over its own providers i. Each own provider's term is
 * a reason: it names the provider and the consumers the two share. Pure: CSR and sides in.
 *
 * - item-kNN: cosine similarity with shrinkage, shared / (√(deg i · deg j) + shrinkage), each
 *   provider keeping only its `neighbours` most similar providers;
 * - EASE (Steck 2019): the closed-form ridge regression of each provider's column on all the
 *   others' with a zero diagonal, B = I − P·diag(1/diag(P)) with P = (XᵀX + λI)⁻¹. Dense: P×P
 *   numbers and P³ work, so it stops at EASE_MAX_PROVIDERS.
 */

/**
 * The build holds 12 bytes per pair of providers (75 MB at 2,500) and inverts in ~P³ steps:
 * 14 s at 2,000 providers on this machine kind (bench/recommendations.ts), so about 28 s at
 * 2,500, within the analytics worker's 60 s budget with room for a busy machine.
 */
export const EASE_MAX_PROVIDERS = 2500;

export class TooManyProvidersError extends Error {
  constructor(readonly providers: number) {
    super(`EASE needs a dense ${providers}×${providers} matrix; it is bounded at ${EASE_MAX_PROVIDERS} providers: use item-kNN`);
    this.name = 'TooManyProvidersError';
  }
}

export interface ItemModel {
  /** Calls `visit` for each provider j with a non-zero weight(provider, j), with the consumers the two share. */
  forEachWeight(provider: number, visit: (other: number, weight: number, shared: number) => void): void;
}

export interface ItemKnnOptions {
  /** Added to the cosine's denominator: pairs with few shared consumers count for less. */
  shrinkage: number;
  /** How many most similar providers each provider keeps. */
  neighbours: number;
}

export interface EaseOptions {
  /** The ridge penalty λ added to the Gram matrix's diagonal. */
  lambda: number;
}

/**
 * An item model in typed arrays over columns 0 … size − 1, one per provider: what the analytics
 * worker builds and hands to the request thread (transferred, not copied). Row r holds
 * weight(r, c) for every column c when `offsets` is null (dense: EASE), else for the columns
 * `columns[offsets[r]]` to `columns[offsets[r + 1] − 1]` (sparse: item-kNN).
 */
export interface PackedItemModel {
  /** Each column's provider: a node index of the graph it was built on (or its ID, once the worker has mapped them). */
  providers: Int32Array;
  offsets: Int32Array | null;
  columns: Int32Array | null;
  weights: Float64Array;
  /** Consumers each (row, column) pair shares, aligned with `weights`. */
  shared: Int32Array;
}

/** The providers of a graph in node order: the columns of its item models. */
export function providerColumns(sides: Uint8Array): Int32Array {
  const providers: number[] = [];
  for (let node = 0; node < sides.length; node++) if (sides[node] === PROVIDER) providers.push(node);
  return Int32Array.from(providers);
}

/** The packed model read by column: forEachWeight takes and gives column indices. */
export function columnModel(packed: PackedItemModel): ItemModel {
  const { offsets, columns, weights, shared } = packed;
  const size = packed.providers.length;
  return {
    forEachWeight(row, visit) {
      if (row < 0 || row >= size) return;
      if (!offsets || !columns) {
        for (let column = row * size, end = column + size; column < end; column++) {
          if (weights[column] !== 0) visit(column - row * size, weights[column], shared[column]);
        }
        return;
      }
      for (let entry = offsets[row]; entry < offsets[row + 1]; entry++) visit(columns[entry], weights[entry], shared[entry]);
    },
  };
}

/** The packed model read by node index of the graph it was built on. */
export function nodeModel(packed: PackedItemModel, nodeCount: number): ItemModel {
  const columnOf = new Int32Array(nodeCount).fill(-1);
  packed.providers.forEach((node, column) => (columnOf[node] = column));
  const byColumn = columnModel(packed);
  return {
    forEachWeight(provider, visit) {
      byColumn.forEachWeight(columnOf[provider] ?? -1, (column, weight, shared) => visit(packed.providers[column], weight, shared));
    },
  };
}

export function itemKnnModel(csr: Csr, sides: Uint8Array, options: ItemKnnOptions): ItemModel {
  return nodeModel(packedItemKnn(csr, sides, options), csr.nodeCount);
}

export function packedItemKnn(csr: Csr, sides: Uint8Array, options: ItemKnnOptions): PackedItemModel {
  const index = coConsumptionIndex(csr, sides);
  const providers = providerColumns(sides);
  const columnOf = new Int32Array(csr.nodeCount).fill(-1);
  providers.forEach((node, column) => (columnOf[node] = column));
  const degree = (node: number) => csr.offsets[node + 1] - csr.offsets[node];
  const offsets = new Int32Array(providers.length + 1);
  const kept: { other: number; weight: number; shared: number }[] = [];
  providers.forEach((provider, column) => {
    const row = [];
    for (let entry = index.offsets[provider]; entry < index.offsets[provider + 1]; entry++) {
      const other = index.partners[entry];
      const shared = index.shared[entry];
      row.push({ other: columnOf[other], shared, weight: shared / (Math.sqrt(degree(provider) * degree(other)) + options.shrinkage) });
    }
    const best = topBy(row, options.neighbours, (a, b) => b.weight - a.weight || providers[a.other] - providers[b.other]);
    for (const entry of best) kept.push(entry);
    offsets[column + 1] = kept.length;
  });
  return {
    providers,
    offsets,
    columns: Int32Array.from(kept, (entry) => entry.other),
    weights: Float64Array.from(kept, (entry) => entry.weight),
    shared: Int32Array.from(kept, (entry) => entry.shared),
  };
}

/**
 * RP3β as an item model: weight(i, j) = walk(i, j) / (deg(i) · deg(j)^β), so that a consumer's
 * score is RP3β's walk score times its own degree (the same order as recommendProviders).
 */
export function rp3betaModel(csr: Csr, sides: Uint8Array, beta: number): ItemModel {
  const index = coConsumptionIndex(csr, sides);
  const degree = (node: number) => csr.offsets[node + 1] - csr.offsets[node];
  return {
    forEachWeight(provider, visit) {
      for (let entry = index.offsets[provider]; entry < index.offsets[provider + 1]; entry++) {
        const other = index.partners[entry];
        visit(other, index.walk[entry] / (degree(provider) * degree(other) ** beta), index.shared[entry]);
      }
    },
  };
}

export function easeModel(csr: Csr, sides: Uint8Array, options: EaseOptions): ItemModel {
  return nodeModel(packedEase(csr, sides, options), csr.nodeCount);
}

/**
 * EASE's weights B[i][j] = −P[i][j] / P[j][j] (zero diagonal), computed in the inverse's own
 * memory: at most 12 bytes per pair of providers are held at once (the shared counts and P).
 */
export function packedEase(csr: Csr, sides: Uint8Array, options: EaseOptions): PackedItemModel {
  let size = 0;
  for (let node = 0; node < csr.nodeCount; node++) if (sides[node] === PROVIDER) size++;
  if (size > EASE_MAX_PROVIDERS) throw new TooManyProvidersError(size);
  const providers = providerColumns(sides);
  const column = new Int32Array(csr.nodeCount).fill(-1);
  providers.forEach((node, position) => (column[node] = position));

  const shared = gramMatrix(csr, sides, column, size);
  const weights = Float64Array.from(shared);
  for (let position = 0; position < size; position++) weights[position * size + position] += options.lambda;
  invertSymmetricPositiveDefinite(weights, size);
  const diagonal = Float64Array.from({ length: size }, (_, position) => weights[position * size + position]);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) weights[i * size + j] = i === j ? 0 : -weights[i * size + j] / diagonal[j];
  }
  return { providers, offsets: null, columns: null, weights, shared };
}

/** XᵀX over providers: the diagonal holds degrees, the rest the consumers each pair shares. */
function gramMatrix(csr: Csr, sides: Uint8Array, column: Int32Array, size: number): Int32Array {
  const gram = new Int32Array(size * size);
  const { offsets, neighbors } = csr;
  for (let consumer = 0; consumer < csr.nodeCount; consumer++) {
    if (sides[consumer] === PROVIDER) continue;
    for (let a = offsets[consumer]; a < offsets[consumer + 1]; a++) {
      const row = column[neighbors[a]] * size;
      for (let b = offsets[consumer]; b < offsets[consumer + 1]; b++) gram[row + column[neighbors[b]]]++;
    }
  }
  return gram;
}

/**
 * Inverts a symmetric positive definite matrix in place by Gauss–Jordan elimination; such a
 * matrix needs no pivoting (every pivot is a Schur complement's diagonal entry, hence positive).
 */
export function invertSymmetricPositiveDefinite(matrix: Float64Array, size: number): void {
  const pivotRow = new Float64Array(size);
  for (let pivot = 0; pivot < size; pivot++) {
    const base = pivot * size;
    const inversePivot = 1 / matrix[base + pivot];
    matrix[base + pivot] = 1;
    for (let column = 0; column < size; column++) matrix[base + column] *= inversePivot;
    pivotRow.set(matrix.subarray(base, base + size));
    for (let row = 0; row < size; row++) {
      if (row === pivot) continue;
      const offset = row * size;
      const factor = matrix[offset + pivot];
      if (factor === 0) continue;
      matrix[offset + pivot] = 0;
      for (let column = 0; column < size; column++) matrix[offset + column] -= factor * pivotRow[column];
    }
  }
}

export interface NodeReason {
  /** One of the consumer's own providers (a node index). */
  provider: number;
  sharedConsumers: number;
  /** This provider's term of the score. */
  contribution: number;
}

export interface ScoredNode {
  node: number;
  score: number;
  reasons: NodeReason[];
}

export interface ScoringOptions {
  first: number;
  /** How many own providers to keep as reasons per recommendation. */
  reasons: number;
  /** Orders ties: the parties' IDs by node index (absent, the node index itself). */
  ids?: Int32Array;
}

/**
 * The `first` providers `consumer` does not use yet with a positive score under `model`, best
 * first. Fewer when fewer score above zero; the caller decides how to fill the list.
 */
export function recommendByItemModel(csr: Csr, model: ItemModel, consumer: number, options: ScoringOptions): ScoredNode[] {
  return scoreByItemModel(model, ownProviders(csr, consumer), options);
}

/**
 * Scores for the owner of `own` (the model's row indices: nodes, or columns of a packed model).
 * A reason is an own provider that shares consumers with the recommended one and adds to its
 * score: EASE also weighs pairs that share none, which no sentence about shared consumers fits.
 */
export function scoreByItemModel(model: ItemModel, own: ReadonlySet<number>, options: ScoringOptions): ScoredNode[] {
  const scores = new Map<number, { score: number; reasons: NodeReason[] }>();
  for (const provider of own) {
    model.forEachWeight(provider, (other, weight, shared) => {
      if (own.has(other)) return;
      let entry = scores.get(other);
      if (!entry) scores.set(other, (entry = { score: 0, reasons: [] }));
      entry.score += weight;
      if (options.reasons > 0 && weight > 0 && shared > 0) entry.reasons.push({ provider, sharedConsumers: shared, contribution: weight });
    });
  }
  const scored = [...scores].filter(([, entry]) => entry.score > 0).map(([node, entry]) => ({ node, ...entry }));
  return finish(scored, options);
}

export function ownProviders(csr: Csr, consumer: number): Set<number> {
  if (consumer < 0 || consumer >= csr.nodeCount) return new Set();
  return new Set(csr.neighbors.subarray(csr.offsets[consumer], csr.offsets[consumer + 1]));
}

/** The best `first` by score (ties by ID), each with its strongest `reasons` reasons. */
export function finish(scored: ScoredNode[], options: ScoringOptions): ScoredNode[] {
  const idOf = (node: number) => (options.ids ? options.ids[node] : node);
  const best = topBy(scored, options.first, (a, b) => b.score - a.score || idOf(a.node) - idOf(b.node));
  for (const entry of best) {
    entry.reasons = topBy(entry.reasons, options.reasons, (a, b) => b.contribution - a.contribution || idOf(a.provider) - idOf(b.provider));
  }
  return best;
}
