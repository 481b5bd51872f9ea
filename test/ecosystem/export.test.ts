import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Graph from 'graphology';
import { parse as parseGexf } from 'graphology-gexf';
import { parse as parseGraphml } from 'graphology-graphml';
import { parseCsv as parseCsvRecords } from '../../scripts/eval-recommendations';
import { createConsumer, createProvider, purchase, recordRelation } from '../support/factories';
import { run } from '../support/graphql';

const root = join(__dirname, '..', '..');
const outDir = mkdtempSync(join(tmpdir(), 'rapport-export-'));

/** Runs `npm run export`'s script on this test file's database. */
async function runExport(...args: string[]) {
  const tsx = join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  return promisify(execFile)(process.execPath, [tsx, 'scripts/export.ts', ...args], { cwd: root, env: process.env });
}

let ada: { id: string }, bob: { id: string }, lonely: { id: string };
let shop: { id: string }, cafe: { id: string };

beforeAll(async () => {
  [ada, bob, lonely] = [await createConsumer({ name: 'Ada, "the first"' }), await createConsumer({ name: 'Bob' }), await createConsumer({ name: 'Lonely' })];
  [shop, cafe] = [await createProvider({ name: 'Shop & <Co>' }), await createProvider({ name: 'Cafe' })];
  await purchase(ada.id, shop.id);
  await purchase(ada.id, shop.id);
  await recordRelation({ consumerId: ada.id, providerId: shop.id, kind: 'REVIEW', rating: 5 });
  await recordRelation({ consumerId: ada.id, providerId: cafe.id, kind: 'FAVORITE' });
  await purchase(bob.id, cafe.id);
});

async function apiScores(id: string) {
  const data = await run(
    `query ($id: ID!) { node(id: $id) {
      ... on Provider { pagerank: centrality(metric: PAGERANK) degree: centrality(metric: DEGREE) betweenness: centrality(metric: BETWEENNESS) }
      ... on Consumer { pagerank: centrality(metric: PAGERANK) degree: centrality(metric: DEGREE) betweenness: centrality(metric: BETWEENNESS) }
    } }`,
    { id },
  );
  return data.node as { pagerank: number; degree: number; betweenness: number };
}

/** What every format must say about the small platform above. */
async function expectThePlatform(graph: Graph) {
  expect(graph.order).toBe(5);
  expect(graph.size).toBe(3);
  expect(graph.type).toBe('undirected');
  expect(graph.getNodeAttributes(shop.id)).toMatchObject({ label: 'Shop & <Co>', side: 'provider' });
  expect(graph.getNodeAttributes(ada.id)).toMatchObject({ label: 'Ada, "the first"', side: 'consumer' });
  expect(graph.degree(lonely.id)).toBe(0);
  for (const id of [ada.id, bob.id, lonely.id, shop.id, cafe.id]) {
    const scores = await apiScores(id);
    const exported = graph.getNodeAttributes(id);
    for (const metric of ['pagerank', 'degree', 'betweenness'] as const) {
      expect(Number(exported[metric])).toBeCloseTo(scores[metric], 12);
    }
  }
  const adaShop = graph.getEdgeAttributes(graph.edge(ada.id, shop.id)!);
  expect(Number(adaShop.weight)).toBe(3);
  expect([adaShop.purchase, adaShop.review, adaShop.subscription, adaShop.favorite].map(Number)).toEqual([2, 1, 0, 0]);
  expect(Number(graph.getEdgeAttribute(graph.edge(bob.id, cafe.id)!, 'purchase'))).toBe(1);
}

it('writes GraphML that graphology reads back with the scores as node attributes', async () => {
  const { stdout } = await runExport('--format', 'graphml');
  await expectThePlatform(parseGraphml(Graph, stdout));
});

it('writes GEXF to a file with --out', async () => {
  const file = join(outDir, 'platform.gexf');
  await runExport('--format', 'gexf', '--out', file);
  await expectThePlatform(parseGexf(Graph, readFileSync(file, 'utf8')));
});

it('writes CSV nodes and edges tables for Gephi’s spreadsheet import', async () => {
  const prefix = join(outDir, 'platform');
  await runExport('--format', 'csv', '--out', prefix);
  const graph = new Graph({ type: 'undirected' });
  const [nodeHeader, ...nodes] = parseCsv(readFileSync(`${prefix}.nodes.csv`, 'utf8'));
  const [edgeHeader, ...edges] = parseCsv(readFileSync(`${prefix}.edges.csv`, 'utf8'));
  expect(nodeHeader).toEqual(['Id', 'Label', 'side', 'pagerank', 'degree', 'betweenness']);
  expect(edgeHeader).toEqual(['Source', 'Target', 'Type', 'Weight', 'Purchase', 'Review', 'Subscription', 'Favorite']);
  for (const [id, label, side, pagerank, degree, betweenness] of nodes) {
    graph.addNode(id, { label, side, pagerank, degree, betweenness });
  }
  for (const [source, target, type, weight, purchase, review, subscription, favorite] of edges) {
    expect(type).toBe('Undirected');
    graph.addEdge(source, target, { weight, purchase, review, subscription, favorite });
  }
  await expectThePlatform(graph);
});

it('refuses an unknown format, and csv without --out, with exit code 2 and the usage', async () => {
  await expect(runExport('--format', 'xml')).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('--format must be one of graphml, gexf, csv') });
  await expect(runExport('--format', 'csv')).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('needs --out PREFIX') });
});


function parseCsv(text: string): string[][] {
  return parseCsvRecords(text).map((record) => {
    if ('error' in record) throw new Error(`malformed CSV: ${record.error}`);
    return record.fields;
  });
}
