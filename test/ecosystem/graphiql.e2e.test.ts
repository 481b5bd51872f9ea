import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/browser';
import { type ServerProcess, freePort, printedAdminKey, startServer, waitUntilServing } from '../support/server-process';

// GraphiQL as a person uses it: Debian's chromium opens /graphql on a server with the demo data.

jest.setTimeout(90_000);

let server: ServerProcess;
let browser: Browser;
let graphiqlUrl: string;
let adminKey: string;

beforeAll(async () => {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'rapport-graphiql-'));
  server = startServer({ PORT: String(port), DATABASE_URL: `file:${join(dataDir, 'rapport.db')}`, PII_KEYS: undefined });
  await waitUntilServing(server);
  // What the first start prints for the operator to paste into GraphiQL (README).
  adminKey = printedAdminKey(server)!;
  graphiqlUrl = `http://127.0.0.1:${port}/graphql`;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  server?.child.kill('SIGTERM');
  await server?.exited;
});

/** GraphiQL in a fresh browser profile, so that no tab state is kept from another page. */
async function openGraphiQL(): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(graphiqlUrl);
  await page.locator('.graphiql-execute-button').waitFor();
  return page;
}

/**
 * The tab strip is a drag-to-reorder list that takes a synthetic pointer press for the start of
 * a drag, so the tab's button gets its click event directly.
 */
async function openTab(page: Page, title: string): Promise<void> {
  await page.locator(`.graphiql-tab button[title="${title}"]`).dispatchEvent('click');
  await page.locator(`.graphiql-tab[aria-selected="true"] button[title="${title}"]`).waitFor();
  await page.locator('.graphiql-query-editor', { hasText: title }).waitFor();
  // The run button turns from the previous tab's menu of operations into a plain button.
  await page.locator('.graphiql-execute-button:not([aria-haspopup])').waitFor();
}

/** As the README says: open the Headers editor and paste the admin key's header into it. */
async function pasteAdminKey(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Headers', exact: true }).click();
  await page.locator('.graphiql-editor-tool .graphiql-editor:not(.hidden)').click();
  await page.keyboard.insertText(`{ "Authorization": "Bearer ${adminKey}" }`);
}

const result = (page: Page, text: string) => page.locator('.result-window', { hasText: text }).waitFor({ timeout: 30_000 });

/** The response pane's text, with the editor's non-breaking spaces made plain. */
const resultText = async (page: Page) => (await page.locator('.result-window').innerText()).replace(/\s+/g, ' ');

it('opens on the example operations, one tab per feature, and runs the overview with the run button', async () => {
  const page = await openGraphiQL();
  const tabs = await page.locator('.graphiql-tab button[title]').evaluateAll((buttons) => buttons.map((b) => b.getAttribute('title')));
  expect(tabs).toEqual(['Overview', 'RecordPurchase', 'LiveRelations']);

  await pasteAdminKey(page);
  await page.locator('.graphiql-execute-button').click();
  await page.getByRole('menuitem', { name: 'Overview' }).click(); // the document holds Overview and Insights
  await result(page, '"totalCount": 8');
  const text = await resultText(page);
  expect(text).toContain('"name": "Atlas Fitness"');
  expect(text).not.toContain('"errors"');
});

it('shows a purchase recorded in one window, live, in another that runs the subscription', async () => {
  const watcher = await openGraphiQL();
  await openTab(watcher, 'LiveRelations');
  await pasteAdminKey(watcher);
  const streaming = new Promise<void>((resolve) =>
    watcher.on('response', (response) => (response.headers()['content-type'] ?? '').includes('text/event-stream') && resolve()),
  );
  await watcher.locator('.graphiql-execute-button').click();
  await streaming;
  await watcher.locator('.graphiql-execute-button[aria-label^="Stop"]').waitFor(); // the subscription runs

  const recorder = await openGraphiQL();
  await openTab(recorder, 'RecordPurchase');
  await pasteAdminKey(recorder);
  await recorder.locator('.graphiql-execute-button').click();
  await result(recorder, '"__typename": "RecordRelationSuccess"');

  await result(watcher, '"name": "Ada Lovelace"');
  expect(await resultText(watcher)).toContain('"amountMinor": 1999');
});
