import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/browser';
import { type ServerProcess, freePort, printedAdminKey, startServer, waitForOutput } from '../support/server-process';

// The explorer at /explorer as a person uses it: Debian's chromium, a real server with the demo data.

const ROOT = join(__dirname, '..', '..');
/** Gitignored; the README's screenshot is copied from here (docs/explorer.png). */
const SCREENSHOTS = join(ROOT, '.tmp', 'screenshots');

jest.setTimeout(300_000);

let server: ServerProcess;
let browser: Browser;
let baseUrl: string;
let adminKey: string;
let databaseUrl: string;

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist', 'explorer', 'index.html'))) throw new Error('The explorer is not built: run npm run build:explorer (npm install does)');
  mkdirSync(SCREENSHOTS, { recursive: true });
  const port = await freePort();
  databaseUrl = `file:${join(mkdtempSync(join(tmpdir(), 'rapport-explorer-')), 'rapport.db')}`;
  server = startServer({ PORT: String(port), DATABASE_URL: databaseUrl, PII_KEYS: undefined });
  await waitForOutput(server, 'is serving GraphQL', 180_000); // slow when the machine is busy
  adminKey = printedAdminKey(server)!;
  baseUrl = `http://127.0.0.1:${port}`;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  server?.child.kill('SIGTERM');
  await server?.exited;
});

/** An operation sent to the same server, as any client would. */
async function api(query: string, variables: Record<string, unknown> = {}, key = adminKey): Promise<any> {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  const result = (await response.json()) as { data?: any; errors?: unknown[] };
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data;
}

interface Opened {
  page: Page;
  /** Console errors, Content-Security-Policy violations among them. */
  problems: string[];
}

/** The explorer in a fresh browser profile, opened with `key` as a person pastes it. */
async function openExplorer(key: string, address = '/explorer'): Promise<Opened> {
  const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  const problems: string[] = [];
  page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(`${baseUrl}${address}`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Open' }).click();
  await page.locator('#explorer:not([hidden])').waitFor();
  return { page, problems };
}

/** The nodes of the graph sigma draws, read back from the renderer. */
const drawnNodes = (page: Page): Promise<string[]> =>
  page.evaluate(() => (window as any).rapportExplorer.map.renderer.getGraph().nodes() as string[]);

async function waitForDrawnNodes(page: Page, count: number): Promise<string[]> {
  await page.waitForFunction((expected) => (window as any).rapportExplorer?.map.renderer.getGraph().order === expected, count, { timeout: 30_000 });
  return drawnNodes(page);
}

/** Waits for ForceAtlas2 to settle, then clicks the node where sigma drew it. */
async function clickNode(page: Page, key: string): Promise<void> {
  await page.waitForFunction(() => (window as any).rapportExplorer.map.laidOut, undefined, { timeout: 30_000 });
  const point = await page.evaluate((node) => {
    const { renderer, graph } = (window as any).rapportExplorer.map;
    return renderer.graphToViewport(graph.getNodeAttributes(node));
  }, key);
  const box = (await page.locator('#map').boundingBox())!;
  await page.mouse.click(box.x + point.x, box.y + point.y);
}

const ALL_PARTIES = `{
  graphStats(consistency: LATEST) { consumers providers edges }
  providers(first: 20) { edges { node { id name } } }
}`;

it('draws the whole demo graph, as many nodes as the API counts, under its Content-Security-Policy', async () => {
  const { graphStats } = await api(ALL_PARTIES);
  const { page, problems } = await openExplorer(adminKey);
  const nodes = await waitForDrawnNodes(page, graphStats.consumers + graphStats.providers);
  expect(await page.evaluate(() => (window as any).rapportExplorer.map.renderer.getGraph().size)).toBe(graphStats.edges);
  await page.locator('#status', { hasText: 'The whole graph' }).waitFor();
  // The table view lists what the map shows, one row per node.
  expect(await page.locator('#table-body tr').count()).toBe(nodes.length);
  await page.waitForFunction(() => (window as any).rapportExplorer.map.laidOut, undefined, { timeout: 30_000 });
  await page.screenshot({ path: join(SCREENSHOTS, 'explorer-map.png') });
  expect(problems).toEqual([]);
});

it('opens the details of a node clicked on the map: rankings, similar providers, strength components', async () => {
  const { providers } = await api(ALL_PARTIES);
  const atlas = providers.edges.map((edge: any) => edge.node).find((provider: any) => provider.name === 'Atlas Fitness');
  const { page, problems } = await openExplorer(adminKey);
  await page.locator('#status', { hasText: 'The whole graph' }).waitFor();
  await clickNode(page, atlas.id);
  await page.locator('#panel h2', { hasText: 'Atlas Fitness' }).waitFor();
  await page.locator('#panel', { hasText: 'Strongest relationships' }).waitFor();
  const { providerRanking } = await api(`{ providerRanking(metric: PAGERANK, first: 100) { entries { rank provider { id } } } }`);
  const rank = providerRanking.entries.find((entry: any) => entry.provider.id === atlas.id).rank;
  await page.locator('#panel', { hasText: `rank ${rank}` }).waitFor();
  expect(await page.locator('#panel dl.components').count()).toBeGreaterThan(0);
  await page.locator('#panel .history svg').first().waitFor(); // in the README's screenshot
  expect(await page.locator('#table-body tr[aria-selected="true"] th').innerText()).toBe('Atlas Fitness');
  await page.screenshot({ path: join(SCREENSHOTS, 'explorer-details.png') });
  expect(problems).toEqual([]);
});

it('shows a relation recorded through the API while the page is open', async () => {
  const { graphStats, providers } = await api(ALL_PARTIES);
  const { page, problems } = await openExplorer(adminKey);
  await waitForDrawnNodes(page, graphStats.consumers + graphStats.providers);
  const created = await api(`mutation { createConsumer(input: { name: "Live Lindqvist", email: "live@example.com" }) { ... on CreateConsumerSuccess { consumer { id } } } }`);
  const consumerId = created.createConsumer.consumer.id;
  const recorded = await api(
    `mutation ($consumerId: ID!, $providerId: ID!) {
      recordRelation(input: { consumerId: $consumerId, providerId: $providerId, kind: PURCHASE, amountMinor: 1999, currency: "EUR" }) { __typename }
    }`,
    { consumerId, providerId: providers.edges[0].node.id },
  );
  expect(recorded.recordRelation.__typename).toBe('RecordRelationSuccess');
  const nodes = await waitForDrawnNodes(page, graphStats.consumers + graphStats.providers + 1);
  expect(nodes).toContain(consumerId);
  expect(await page.evaluate(([a, b]) => (window as any).rapportExplorer.map.graph.hasEdge(a, b), [consumerId, providers.edges[0].node.id])).toBe(true);
  expect(problems).toEqual([]);
});

it('shows a provider’s key only that provider’s own neighbourhood, and moves through it with the keyboard', async () => {
  const { providers } = await api(ALL_PARTIES);
  const bluebird = providers.edges.map((edge: any) => edge.node).find((provider: any) => provider.name === 'Bluebird Streaming');
  // Not execFileSync: a blocked event loop keeps fetch's idle connection past the server's
  // keep-alive timeout, and the next request would go out on a socket the server has closed.
  const { stdout: created } = await promisify(execFile)(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'scripts/key.ts', 'create', '--role', 'provider', '--provider', bluebird.id], {
    cwd: ROOT,
    // The server's environment: its database, and no PII_KEYS (jest's environment has the test keyring).
    env: { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'PII_KEYS')), DATABASE_URL: databaseUrl },
    encoding: 'utf8',
  });
  const providerKey = /\n\s+(rpk_\S+)\n/.exec(created)![1];
  const own = await api(`query ($id: ID!) { provider(id: $id) { consumers(first: 100) { edges { node { id } } } } }`, { id: bluebird.id }, providerKey);
  const expected = [bluebird.id, ...own.provider.consumers.edges.map((edge: any) => edge.node.id)].sort();

  const { page, problems } = await openExplorer(providerKey);
  expect((await waitForDrawnNodes(page, expected.length)).sort()).toEqual(expected);
  await page.locator('#panel h2', { hasText: 'Bluebird Streaming' }).waitFor();
  // No overview and no other provider: the key's scope is the map's.
  expect(await page.locator('#status', { hasText: 'whole graph' }).count()).toBe(0);

  await page.locator('#map').focus();
  await page.keyboard.press('ArrowRight');
  const selected = page.locator('#table-body tr[aria-selected="true"] th');
  const first = await selected.innerText();
  await page.locator('#panel h2', { hasText: first }).waitFor();
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction((previous) => document.querySelector('#table-body tr[aria-selected="true"] th')?.textContent !== previous, first);
  await page.screenshot({ path: join(SCREENSHOTS, 'explorer-provider.png') });
  expect(problems).toEqual([]);
});

it('draws the selected provider’s weekly rank and relations, the same points as the API’s history, with a table alternative', async () => {
  const { providers } = await api(ALL_PARTIES);
  const atlas = providers.edges.map((edge: any) => edge.node).find((provider: any) => provider.name === 'Atlas Fitness');
  const { page, problems } = await openExplorer(adminKey);
  await page.locator('#status', { hasText: 'The whole graph' }).waitFor();
  await page.locator('#table-body th button', { hasText: 'Atlas Fitness' }).click();
  await page.locator('#panel .history svg[data-series="Rank"]').waitFor();
  const { provider } = await api(`query ($id: ID!) { provider(id: $id) { history(metric: PAGERANK, interval: WEEK, window: { last: "P12W" }) { window { from } rank relationCount } } }`, { id: atlas.id });
  const expected = provider.history.map((point: any) => ({ week: point.window.from.slice(0, 10), rank: point.rank, relations: point.relationCount }));
  expect(expected.length).toBeGreaterThanOrEqual(12);

  const drawn = (series: string) =>
    page.$$eval(`#panel svg[data-series="${series}"] circle`, (circles) =>
      circles.map((circle) => ({ week: circle.dataset.week!, value: Number(circle.dataset.value), x: Number(circle.getAttribute('cx')), y: Number(circle.getAttribute('cy')) })),
    );
  const ranks = await drawn('Rank');
  const relations = await drawn('Relations');
  expect(ranks.map(({ week, value }) => ({ week, value }))).toEqual(expected.map(({ week, rank }: any) => ({ week, value: rank })));
  expect(relations.map(({ week, value }) => ({ week, value }))).toEqual(expected.map(({ week, relations }: any) => ({ week, value: relations })));
  // Drawn where the values say: weeks left to right, rank 1 at the top, more relations higher up.
  for (let i = 1; i < ranks.length; i++) expect(ranks[i].x).toBeGreaterThan(ranks[i - 1].x);
  for (const a of ranks) for (const b of ranks) if (a.value < b.value) expect(a.y).toBeLessThan(b.y);
  for (const a of relations) for (const b of relations) if (a.value > b.value) expect(a.y).toBeLessThan(b.y);

  const rows = await page.$$eval('#panel .history-table tbody tr', (trs) => trs.map((tr) => [...tr.children].map((cell) => cell.textContent)));
  expect(rows).toEqual(expected.map(({ week, rank, relations }: any) => [week, String(rank), String(relations)]));
  expect(await page.locator('#panel svg[data-series="Rank"]').getAttribute('role')).toBe('img');
  await page.locator('#panel .history').screenshot({ path: join(SCREENSHOTS, 'explorer-history.png') });
  expect(problems).toEqual([]);
});

it('opens a community super-node into its most central members with Enter, and closes it again', async () => {
  const nodes = 6; // fewer than the demo graph has: the map shows an aggregate with a community super-node
  const { graphOverview: overview } = await api(`{ graphOverview(limit: ${nodes}) { aggregated nodes { key } } }`);
  expect(overview.aggregated).toBe(true);
  const superNode = overview.nodes.map((node: any) => node.key).find((key: string) => key.startsWith('community:'));
  const community = Number(superNode.slice('community:'.length));
  const opened = (await api(`{ graphOverview(community: ${community}, limit: 30) { nodes { key } edges { source target } } }`)).graphOverview;

  const { page, problems } = await openExplorer(adminKey, `/explorer/?nodes=${nodes}`);
  const before = (await waitForDrawnNodes(page, overview.nodes.length)).sort();
  expect(before).toEqual(overview.nodes.map((node: any) => node.key).sort());
  await page.locator('#table-body th button', { hasText: `Community ${community} (` }).click();
  await page.locator('#panel button', { hasText: 'Open' }).waitFor();
  await page.locator('#map').focus();
  await page.keyboard.press('Enter');

  await page.waitForFunction((key) => !(window as any).rapportExplorer.map.graph.hasNode(key), superNode);
  const drawn = await drawnNodes(page);
  expect(drawn).toEqual(expect.arrayContaining(opened.nodes.map((node: any) => node.key)));
  expect(drawn).not.toContain(superNode);
  const edgesDrawn = await page.evaluate((edges) => edges.every(([a, b]: string[]) => (window as any).rapportExplorer.map.graph.hasEdge(a, b)), opened.edges.map((edge: any) => [edge.source, edge.target]));
  expect(edgesDrawn).toBe(true);
  expect(await page.locator('#table-body tr').count()).toBe(drawn.length);
  await page.screenshot({ path: join(SCREENSHOTS, 'explorer-community.png') });

  await page.locator('#panel button', { hasText: `Close Community ${community}` }).click();
  await page.waitForFunction((key) => (window as any).rapportExplorer.map.graph.hasNode(key), superNode);
  expect((await drawnNodes(page)).sort()).toEqual(before);
  expect(problems).toEqual([]);
});

it('marks the consumers of a saved segment on the map, in the drawing and in the table', async () => {
  const created = await api(`mutation { createSegment(input: { name: "Regulars", definition: { relations: { minCount: 8 } } }) { __typename ... on CreateSegmentSuccess { segment { id } } } }`);
  expect(created.createSegment.__typename).toBe('CreateSegmentSuccess');
  const segmentId = created.createSegment.segment.id;
  const { segment } = await api(`query ($id: ID!) { segment(id: $id) { memberCount members(first: 100) { edges { node { id } } } } }`, { id: segmentId });
  const members: string[] = segment.members.edges.map((edge: any) => edge.node.id).sort();
  expect(members.length).toBe(segment.memberCount);
  const { graphStats } = await api(ALL_PARTIES);

  const { page, problems } = await openExplorer(adminKey);
  const drawn = await waitForDrawnNodes(page, graphStats.consumers + graphStats.providers);
  expect(members.length).toBeGreaterThan(0);
  expect(members.length).toBeLessThan(graphStats.consumers); // a segment that tells consumers apart
  await page.locator('#segment').selectOption(segmentId);
  await page.locator('#status', { hasText: `Regulars: ${members.length} consumers on the map are members` }).waitFor();
  const marked = await page.evaluate((keys) => keys.filter((key: string) => (window as any).rapportExplorer.map.isMarked(key)), drawn);
  expect(marked.sort()).toEqual(members);
  // What sigma draws for a member differs from what it draws for a consumer that is not one.
  const looks = await page.evaluate(([member, other]) => {
    const renderer = (window as any).rapportExplorer.map.renderer;
    return [renderer.getNodeDisplayData(member).color, renderer.getNodeDisplayData(other).color];
  }, [members[0], drawn.find((key) => !members.includes(key))!]);
  expect(looks[0]).toBe('#1d1d1f');
  expect(looks[1]).not.toBe('#1d1d1f');
  const rows = await page.$$eval('#table-body tr', (trs) => trs.filter((tr) => tr.lastElementChild?.textContent === 'yes').map((tr) => (tr as HTMLElement).dataset.key));
  expect(rows.sort()).toEqual(members);
  await page.screenshot({ path: join(SCREENSHOTS, 'explorer-segment.png') });

  await page.locator('#segment').selectOption('');
  await page.locator('#status', { hasText: 'No saved segment marked' }).waitFor();
  expect(await page.evaluate((keys) => keys.some((key: string) => (window as any).rapportExplorer.map.isMarked(key)), drawn)).toBe(false);
  expect(problems).toEqual([]);
});
