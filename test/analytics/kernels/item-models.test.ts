import seedrandom from 'seedrandom';
import reference from '../../fixtures/personalized-pagerank-networkx.json';
import crm from '../../fixtures/crm-graph-networkx.json';
import { CONSUMER, csrFromEdges, PROVIDER } from '../../../src/analytics/graph/csr';
import { EASE_MAX_PROVIDERS, easeModel, invertSymmetricPositiveDefinite, itemKnnModel, type ItemModel, recommendByItemModel, rp3betaModel, TooManyProvidersError } from '../../../src/analytics/graph/kernels/item-models';
import { personalizedPagerank, recommendByPersonalizedPagerank } from '../../../src/analytics/graph/kernels/personalized-pagerank';
import { recommendProviders } from '../../../src/analytics/graph/recommendations';
import { snapshotAdjacency } from '../../../src/analytics/graph/adjacency';
import { edgeEnds } from '../../../src/analytics/graph/snapshot';
import { expectClose, randomTwin, SHAPES } from './random-graphs';

// Each model against a brute force written from its definition on the dense 0/1 matrix X
// (consumers × providers), on the random bipartite graphs the other kernels are tested on.

type Dense = { x: number[][]; consumers: number[]; providers: number[] };

function dense(twin: ReturnType<typeof randomTwin>): Dense {
  const consumers: number[] = [];
  const providers: number[] = [];
  twin.sides.forEach((side, node) => (side === CONSUMER ? consumers : providers).push(node));
  const x = consumers.map(() => providers.map(() => 0));
  const { offsets, neighbors } = twin.csr;
  consumers.forEach((consumer, row) => {
    for (let entry = offsets[consumer]; entry < offsets[consumer + 1]; entry++) x[row][providers.indexOf(neighbors[entry])] = 1;
  });
  return { x, consumers, providers };
}

const column = (x: number[][], j: number) => x.map((row) => row[j]);
const dot = (a: number[], b: number[]) => a.reduce((sum, value, index) => sum + value * b[index], 0);

/** Solves A·b = y by Gaussian elimination with partial pivoting. */
function solve(a: number[][], y: number[]): number[] {
  const n = y.length;
  const m = a.map((row, index) => [...row, y[index]]);
  for (let pivot = 0; pivot < n; pivot++) {
    let best = pivot;
    for (let row = pivot + 1; row < n; row++) if (Math.abs(m[row][pivot]) > Math.abs(m[best][pivot])) best = row;
    [m[pivot], m[best]] = [m[best], m[pivot]];
    for (let row = 0; row < n; row++) {
      if (row === pivot) continue;
      const factor = m[row][pivot] / m[pivot][pivot];
      for (let col = pivot; col <= n; col++) m[row][col] -= factor * m[pivot][col];
    }
  }
  return m.map((row, index) => row[n] / row[index]);
}

/** EASE's column j: the ridge regression of X_j on every other column, λ on the coefficients. */
function easeColumnByRegression({ x, providers }: Dense, j: number, lambda: number): Map<number, number> {
  const others = providers.map((_, index) => index).filter((index) => index !== j);
  const gram = others.map((a) => others.map((b) => dot(column(x, a), column(x, b)) + (a === b ? lambda : 0)));
  const coefficients = solve(gram, others.map((a) => dot(column(x, a), column(x, j))));
  return new Map(others.map((a, index) => [providers[a], coefficients[index]]));
}

function weightsOf(model: ItemModel, provider: number): Map<number, { weight: number; shared: number }> {
  const weights = new Map<number, { weight: number; shared: number }>();
  model.forEachWeight(provider, (other, weight, shared) => weights.set(other, { weight, shared }));
  return weights;
}

describe.each(SHAPES)('item models on $name', (shape) => {
  const twin = randomTwin(shape);
  const matrix = dense(twin);
  const sharedOf = (a: number, b: number) => dot(column(matrix.x, a), column(matrix.x, b));

  it('EASE equals each column’s ridge regression on the other columns', () => {
    const lambda = 3;
    const model = easeModel(twin.csr, twin.sides, { lambda });
    matrix.providers.forEach((provider, j) => {
      const regression = easeColumnByRegression(matrix, j, lambda);
      for (const [other, coefficient] of regression) {
        const found = weightsOf(model, other).get(provider);
        expect(found?.weight ?? 0).toBeCloseTo(coefficient, 9);
        if (found) expect(found.shared).toBe(sharedOf(matrix.providers.indexOf(other), j));
      }
    });
  });

  it('item-kNN keeps the most similar providers by shrunk cosine', () => {
    const options = { shrinkage: 2, neighbours: 3 };
    const model = itemKnnModel(twin.csr, twin.sides, options);
    matrix.providers.forEach((provider, a) => {
      const all = matrix.providers
        .map((other, b) => ({ other, shared: sharedOf(a, b), degrees: sharedOf(a, a) * sharedOf(b, b) }))
        .filter(({ other, shared }) => other !== provider && shared > 0)
        .map(({ other, shared, degrees }) => ({ other, shared, weight: shared / (Math.sqrt(degrees) + options.shrinkage) }))
        .sort((p, q) => q.weight - p.weight || p.other - q.other)
        .slice(0, options.neighbours);
      expect([...weightsOf(model, provider)].map(([other, { weight, shared }]) => ({ other, weight, shared }))).toEqual(all);
    });
  });

  it('scores a consumer by summing its providers’ weights, and names them as reasons', () => {
    const model = easeModel(twin.csr, twin.sides, { lambda: 1 });
    matrix.consumers.forEach((consumer, row) => {
      const own = matrix.providers.filter((_, j) => matrix.x[row][j] === 1);
      const expected = matrix.providers
        .map((candidate) => ({ candidate, score: own.reduce((sum, provider) => sum + (weightsOf(model, provider).get(candidate)?.weight ?? 0), 0) }))
        .filter(({ candidate, score }) => !own.includes(candidate) && score > 0)
        .sort((a, b) => b.score - a.score || a.candidate - b.candidate)
        .slice(0, 4);
      const found = recommendByItemModel(twin.csr, model, consumer, { first: 4, reasons: 2 });
      expect(found.map((entry) => entry.node)).toEqual(expected.map((entry) => entry.candidate));
      found.forEach((entry, index) => {
        expect(entry.score).toBeCloseTo(expected[index].score, 9);
        for (const reason of entry.reasons) {
          expect(own).toContain(reason.provider);
          expect(reason.contribution).toBeGreaterThan(0);
        }
      });
    });
  });

  it('the RP3β model ranks as recommendProviders on the relation graph', () => {
    const beta = 0.5;
    const model = rp3betaModel(twin.csr, twin.sides, beta);
    for (const consumer of matrix.consumers) {
      const served = recommendProviders(snapshotAdjacency({ key: 'twin', version: 0, sides: twin.sides, ids: twin.ids, csr: twin.csr, ends: edgeEnds(twin.csr), kindCounts: new Int32Array(0) }), consumer, { first: 5, beta, reasons: 0 }).filter((entry) => entry.basis === 'COLLABORATIVE');
      const found = recommendByItemModel(twin.csr, model, consumer, { first: 5, reasons: 0, ids: twin.ids });
      expect(found.map((entry) => twin.ids[entry.node])).toEqual(served.map((entry) => entry.provider.id));
    }
  });
});

it('inverts a random symmetric positive definite matrix', () => {
  const random = seedrandom('spd');
  const size = 12;
  const a = Array.from({ length: size }, () => Array.from({ length: size }, () => random() - 0.5));
  const spd = new Float64Array(size * size);
  for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) spd[i * size + j] = dot(a[i], a[j]) + (i === j ? 0.1 : 0);
  const inverse = Float64Array.from(spd);
  invertSymmetricPositiveDefinite(inverse, size);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      let product = 0;
      for (let k = 0; k < size; k++) product += spd[i * size + k] * inverse[k * size + j];
      expect(product).toBeCloseTo(i === j ? 1 : 0, 8);
    }
  }
});

it('EASE refuses more providers than its bound before allocating anything', () => {
  const nodeCount = EASE_MAX_PROVIDERS + 1;
  const csr = csrFromEdges(nodeCount, new Int32Array(0), new Int32Array(0));
  expect(() => easeModel(csr, new Uint8Array(nodeCount).fill(PROVIDER), { lambda: 1 })).toThrow(TooManyProvidersError);
});

describe('personalized PageRank against networkx', () => {
  const names = [...crm.consumers, ...crm.providers, reference.isolated];
  const indexOf = new Map(names.map((name, index) => [name, index]));
  const pairs = new Map(crm.relations.map((relation) => [`${relation.consumer}|${relation.provider}`, relation]));
  const csr = csrFromEdges(
    names.length,
    Int32Array.from(pairs.values(), (pair) => indexOf.get(pair.consumer)!),
    Int32Array.from(pairs.values(), (pair) => indexOf.get(pair.provider)!),
  );
  const sides = Uint8Array.from(names, (name) => (crm.providers.includes(name) ? PROVIDER : CONSUMER));

  it.each(Object.keys(reference.expected))('from %s', (source) => {
    const expected = (reference.expected as Record<string, Record<string, number>>)[source];
    const { scores } = personalizedPagerank(csr, indexOf.get(source)!, { tolerance: 1e-13 });
    expectClose(scores, Float64Array.from(names, (name) => expected[name]), 1e-6);
  });

  it('recommends the providers the source does not use, by their score, with shared-consumer reasons', () => {
    const source = Object.keys(reference.expected)[0];
    const expected = (reference.expected as Record<string, Record<string, number>>)[source];
    const consumer = indexOf.get(source)!;
    const own = new Set(crm.relations.filter((relation) => relation.consumer === source).map((relation) => relation.provider));
    const wanted = crm.providers.filter((provider) => !own.has(provider)).sort((a, b) => expected[b] - expected[a]);
    const found = recommendByPersonalizedPagerank(csr, sides, consumer, { first: 10, reasons: 2, tolerance: 1e-13 });
    expect(found.map((entry) => names[entry.node])).toEqual(wanted);
    for (const entry of found) for (const reason of entry.reasons) expect(own.has(names[reason.provider])).toBe(true);
  });

  it('says which source is not a node', () => {
    expect(() => personalizedPagerank(csr, names.length)).toThrow(RangeError);
  });
});
