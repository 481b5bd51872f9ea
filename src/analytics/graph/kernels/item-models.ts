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

/** 3000² doubles are 72 MB and the inverse ~3·10¹⁰ multiply-adds, tens of seconds in one thread. */
export const EASE_MAX_PROVIDERS = 3000;

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

export function itemKnnModel(csr: Csr, sides: Uint8Array, options: ItemKnnOptions): ItemModel {
  const index = coConsumptionIndex(csr, sides);
  const degree = (node: number) => csr.offsets[node + 1] - csr.offsets[node];
  const rows: { other: number; weight: number; shared: number }[][] = [];
  for (let provider = 0; provider < csr.nodeCount; provider++) {
    const row = [];
    for (let entry = index.offsets[provider]; entry < index.offsets[provider + 1]; entry++) {
      const other = index.partners[entry];
      const shared = index.shared[entry];
      row.push({ other, shared, weight: shared / (Math.sqrt(degree(provider) * degree(other)) + options.shrinkage) });
    }
    rows.push(topBy(row, options.neighbours, (a, b) => b.weight - a.weight || a.other - b.other));
  }
  return {
    forEachWeight(provider, visit) {
      for (const { other, weight, shared } of rows[provider] ?? []) visit(other, weight, shared);
    },
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
  const providers: number[] = [];
  for (let node = 0; node < csr.nodeCount; node++) if (sides[node] === PROVIDER) providers.push(node);
  const size = providers.length;
  if (size > EASE_MAX_PROVIDERS) throw new TooManyProvidersError(size);
  const column = new Int32Array(csr.nodeCount).fill(-1);
  providers.forEach((node, position) => (column[node] = position));

  const gram = gramMatrix(csr, sides, column, size);
  const inverse = Float64Array.from(gram);
  for (let position = 0; position < size; position++) inverse[position * size + position] += options.lambda;
  invertSymmetricPositiveDefinite(inverse, size);
  return {
    forEachWeight(provider, visit) {
      const i = column[provider];
      if (i < 0) return;
      for (let j = 0; j < size; j++) {
        if (j === i) continue;
        const weight = -inverse[i * size + j] / inverse[j * size + j];
        if (weight !== 0) visit(providers[j], weight, gram[i * size + j]);
      }
    },
  };
}

/** XᵀX over providers: the diagonal holds degrees, the rest the consumers each pair shares. */
function gramMatrix(csr: Csr, sides: Uint8Array, column: Int32Array, size: number): Float64Array {
  const gram = new Float64Array(size * size);
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
  const own = ownProviders(csr, consumer);
  const scores = new Map<number, { score: number; reasons: NodeReason[] }>();
  for (const provider of own) {
    model.forEachWeight(provider, (other, weight, shared) => {
      if (own.has(other)) return;
      let entry = scores.get(other);
      if (!entry) scores.set(other, (entry = { score: 0, reasons: [] }));
      entry.score += weight;
      if (options.reasons > 0 && weight > 0) entry.reasons.push({ provider, sharedConsumers: shared, contribution: weight });
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
