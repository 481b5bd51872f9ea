import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  averagePrecisionAt,
  evaluateRecommender,
  evaluationData,
  methodRecommender,
  ndcgAt,
  popularityRecommender,
  precisionAt,
  rapportRecommender,
  recallAt,
  relevantProviders,
} from '../../src/analytics/offline/evaluation';
import { RelationStore } from '../../src/analytics/serving/store';
import { generateLatent } from '../../src/analytics/offline/latent-data';
import { INSTALL_LME4 } from '../../src/analytics/offline/insteval';
import { splitAtRandom, splitByLatest } from '../../src/analytics/offline/planted-data';

const root = join(__dirname, '..', '..');
const HEADER = 'consumer,provider,rating,timestamp';

/** c1 uses p1 and p2, c2 uses p1 and p3, c3 uses p2, p3 and p4. */
function tinyGraph(): RelationStore {
  const graph = new RelationStore();
  const pairs = [
    [1, 1],
    [1, 2],
    [2, 1],
    [2, 3],
    [3, 2],
    [3, 3],
    [3, 4],
  ];
  for (const [consumerId, providerId] of pairs) {
    graph.relation({ consumerId, providerId, kind: 'FAVORITE', occurredAt: 0, amountMinor: null, currency: null, rating: null });
  }
  return graph;
}

const LOG2_3 = Math.log2(3);

describe('ranking metrics', () => {
  const relevant = new Set(['p3', 'p4']);
  const ranked = ['p5', 'p3', 'p6', 'p4'];

  it('counts hits within the cut-off', () => {
    expect(recallAt(ranked, relevant, 3)).toBe(0.5);
    expect(recallAt(ranked, relevant, 4)).toBe(1);
    expect(precisionAt(ranked, relevant, 10)).toBe(0.2);
  });

  it('discounts a hit by its rank against an ideal over min(k, relevant)', () => {
    // One hit at rank 2 against an ideal of two hits at ranks 1 and 2.
    expect(ndcgAt(ranked, relevant, 3)).toBeCloseTo(1 / LOG2_3 / (1 + 1 / LOG2_3), 12);
    // With k = 1 the ideal holds a single hit, and the list has none at rank 1.
    expect(ndcgAt(ranked, relevant, 1)).toBe(0);
    expect(ndcgAt(['p4', 'p3'], relevant, 5)).toBe(1);
  });

  it('leaves out held-out providers the consumer already has in train', () => {
    expect(relevantProviders(tinyGraph(), 'c1', new Set(['p2', 'p3', 'p4']))).toEqual(new Set(['p3', 'p4']));
    expect(relevantProviders(tinyGraph(), 'c9', new Set(['p4']))).toEqual(new Set(['p4']));
  });

  it('averages each hit’s precision at its rank over min(k, relevant)', () => {
    // Hits at ranks 2 and 4: (1/2 + 2/4) / 2.
    expect(averagePrecisionAt(ranked, relevant, 4)).toBe(0.5);
    // Within k = 3 one hit, at rank 2, over min(3, 2) = 2.
    expect(averagePrecisionAt(ranked, relevant, 3)).toBe(0.25);
    expect(averagePrecisionAt(ranked, new Set(), 3)).toBe(0);
  });

  it('averages over the consumers with something relevant, from one list of max(k, 10)', () => {
    const lists: Record<string, string[]> = { c1: ranked, c4: ['p4'] };
    const requested: number[] = [];
    const test = new Map([
      ['c1', new Set(['p2', 'p3', 'p4'])],
      ['c2', new Set(['p1'])], // only a provider c2 already has: not evaluated
      ['c4', new Set(['p4'])], // a consumer unknown to train still counts
    ]);
    const metrics = evaluateRecommender(tinyGraph(), test, 3, (consumer, count) => {
      requested.push(count);
      return lists[consumer];
    });
    expect(requested).toEqual([10, 10]);
    expect(metrics.evaluatedConsumers).toBe(2);
    expect(metrics.recall).toBe(0.75);
    expect(metrics.ndcg).toBeCloseTo((1 / LOG2_3 / (1 + 1 / LOG2_3) + 1) / 2, 12);
    expect(metrics.precisionAt10).toBeCloseTo(0.15, 12);
    expect(metrics.map).toBeCloseTo((0.25 + 1) / 2, 12);
    // Recommended within k = 3: p5, p3, p6 and p4; of the train graph's four providers, p3 and p4.
    expect(metrics.coverage).toBe(0.5);
    // p3 has 2 of 3 consumers and p4 1 of 3 (p5, p6 are not in train): self-information in bits.
    expect(metrics.novelty).toBeCloseTo((-Math.log2(2 / 3) - Math.log2(1 / 3)) / 2, 12);
  });
});

describe('the recommenders under evaluation', () => {
  it('ranks by RP3β: P3 gives p3 5/24 and p4 2/24, divided by degree^β (2 and 1)', () => {
    expect(rapportRecommender(tinyGraph(), 0.5)('c1', 10)).toEqual(['p3', 'p4']);
    // 5/24 / 2^3 < 2/24: a steep enough penalty turns the order round.
    expect(rapportRecommender(tinyGraph(), 3)('c1', 10)).toEqual(['p4', 'p3']);
  });

  it('proposes the most used providers the consumer does not have', () => {
    expect(popularityRecommender(tinyGraph())('c1', 10)).toEqual(['p3', 'p4']);
    expect(popularityRecommender(tinyGraph())('c9', 2)).toEqual(['p1', 'p2']);
  });
});

describe('EASE against RP3β on MovieLens-shaped latent ratings', () => {
  // A smaller draw of the latent data set than the eval's (300 consumers and providers instead
  // of 943 and 1682), so that the test takes seconds; docs/recommendations.md has the full table.
  const rows = generateLatent({ consumers: 300, providers: 300, seed: 'evaluation test' });

  it.each([
    ['random', splitAtRandom(rows, 'split')],
    ['temporal', splitByLatest(rows)],
  ])('EASE ranks better than RP3β on the %s 80/20 split', (_, split) => {
    const { graph, heldOut } = evaluationData(split.train, split.test);
    const ease = evaluateRecommender(graph, heldOut, 20, methodRecommender(graph, 'EASE'));
    const rp3beta = evaluateRecommender(graph, heldOut, 20, methodRecommender(graph, 'RP3BETA'));
    expect(ease.evaluatedConsumers).toBe(300);
    expect(ease.recall).toBeGreaterThan(rp3beta.recall);
    expect(ease.ndcg).toBeGreaterThan(rp3beta.ndcg);
  });

  it('the random split holds out a seeded fifth of each consumer’s providers, the temporal one the latest fifth', () => {
    const random = splitAtRandom(rows, 'split');
    expect(splitAtRandom(rows, 'split')).toEqual(random);
    expect(splitAtRandom(rows, 'other seed').test).not.toEqual(random.test);
    const consumer = rows[0].consumer;
    const own = rows.filter((row) => row.consumer === consumer);
    expect(random.test.filter((row) => row.consumer === consumer)).toHaveLength(Math.round(own.length * 0.2));
    const latest = splitByLatest(rows);
    const trainEnd = Math.max(...latest.train.filter((row) => row.consumer === consumer).map((row) => row.timestamp));
    for (const row of latest.test.filter((held) => held.consumer === consumer)) expect(row.timestamp).toBeGreaterThanOrEqual(trainEnd);
  });
});

describe('the eval:recommendations CLI', () => {
  let folder: string;

  beforeAll(() => {
    mkdirSync(join(root, '.tmp'), { recursive: true });
    folder = mkdtempSync(join(root, '.tmp', 'evaluation-'));
  });

  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  function runScript(script: string, args: string[], env = process.env) {
    const result = spawnSync(process.execPath, [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), script, ...args], {
      cwd: root,
      encoding: 'utf8',
      env,
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  function evaluate(train: string, test: string) {
    return runScript('scripts/eval-recommendations.ts', ['--train', train, '--test', test, '--k', '20', '--methods', 'EASE,RP3BETA']);
  }

  function recallOf(stdout: string, label: string): number {
    const line = stdout.split('\n').find((candidate) => candidate.startsWith(label));
    const match = line?.match(/Recall@20=([\d.]+)/);
    if (!match) throw new Error(`no Recall@20 for ${label} in:\n${stdout}`);
    return Number(match[1]);
  }

  it('finds the planted structure: Recall@20 at least twice popularity’s', () => {
    const planted = join(folder, 'planted');
    const generated = runScript('scripts/generate-planted.ts', ['--out', planted]);
    expect(generated.status).toBe(0);

    const result = evaluate(join(planted, 'train.csv'), join(planted, 'test.csv'));
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/evaluated consumers/);
    const lines = result.stdout.split('\n');
    expect(lines[1]).toMatch(/^EASE \(lambda=\d+, chosen\)\s+Recall@20=[\d.]+\s+NDCG@20=[\d.]+\s+MAP@20=[\d.]+\s+Precision@10=[\d.]+\s+coverage=[\d.]+\s+novelty=[\d.]+$/);
    expect(recallOf(result.stdout, 'EASE')).toBeGreaterThanOrEqual(2 * recallOf(result.stdout, 'popularity'));
    expect(recallOf(result.stdout, 'RP3beta')).toBeGreaterThanOrEqual(2 * recallOf(result.stdout, 'popularity'));
  });

  it('reports a bad row with its line number and evaluates the rest', () => {
    const train = join(folder, 'bad-row-train.csv');
    const test = join(folder, 'bad-row-test.csv');
    writeFileSync(train, [HEADER, 'a,x,5,2024-01-01T00:00:00Z', 'a,y,,not a date', '"b, the second",x,,1704067200000', '"b, the second",z,4,2024-01-02', ''].join('\n'));
    writeFileSync(test, [HEADER, 'a,z,,2024-02-01', ''].join('\n'));

    const result = evaluate(train, test);
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('bad-row-train.csv:3: timestamp "not a date"');
    expect(result.stdout).toContain('data set: 3 train relations, 1 test relations, 2 consumers, 2 providers, 1 evaluated consumers');
    expect(recallOf(result.stdout, 'EASE')).toBe(1);
  });

  it('splits a generated data set by time, and names it', () => {
    const result = runScript('scripts/eval-recommendations.ts', ['--dataset', 'planted', '--split', 'temporal', '--methods', 'RP3BETA']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^data set: planted, temporal 80\/20 split \(seed split\), test part; /);
    expect(recallOf(result.stdout, 'RP3beta')).toBeGreaterThan(recallOf(result.stdout, 'popularity'));
  });

  it('keeps only the relations rated --min-rating or more, in both files', () => {
    const train = join(folder, 'rated-train.csv');
    const test = join(folder, 'rated-test.csv');
    writeFileSync(train, [HEADER, 'a,x,5,2024-01-01', 'a,y,2,2024-01-02', 'a,w,,2024-01-03', 'b,x,4,2024-01-01', 'b,z,4,2024-01-02', ''].join('\n'));
    writeFileSync(test, [HEADER, 'a,z,4,2024-02-01', 'b,y,1,2024-02-01', ''].join('\n'));

    const result = runScript('scripts/eval-recommendations.ts', ['--train', train, '--test', test, '--min-rating', '4', '--methods', 'EASE']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('data set: ratings >= 4 only, 3 train relations, 1 test relations, 2 consumers, 2 providers, 1 evaluated consumers');
  });

  it('says what to install when the real ratings cannot be loaded, with exit code 1', () => {
    // A PATH without Rscript (node is started by its path).
    const result = runScript('scripts/eval-recommendations.ts', ['--dataset', 'insteval'], { ...process.env, PATH: folder });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`eval:recommendations: cannot load the InstEval ratings: "Rscript" was not found; install R with lme4: ${INSTALL_LME4}`);
  });

  it.each([
    [['--dataset', 'planted', '--split', 'sideways'], '--split is one of random, temporal'],
    [['--dataset', 'planted', '--methods', 'EASE,MAGIC'], '--methods takes some of'],
    [[], 'give either --train and --test, or --dataset'],
  ])('refuses %j with exit code 2', (args, message) => {
    const result = runScript('scripts/eval-recommendations.ts', args);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it('stops with a non-zero exit code on a bad header, naming the expected one', () => {
    const train = join(folder, 'bad-header.csv');
    writeFileSync(train, 'user,item,score,time\na,x,5,2024-01-01\n');

    const result = evaluate(train, train);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`expected the header "${HEADER}"`);
    expect(result.stdout).toBe('');
  });
});
