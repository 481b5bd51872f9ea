import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { saveGraphFile } from '../../src/analytics/serving';
import { GraphProjection } from '../../src/analytics/serving/projection';
import { config } from '../../src/config';
import { pruneChangeLog } from '../../src/db/change-log';
import { db } from '../../src/db/client';
import { driver } from '../../src/db/driver';
import { recordChange } from '../../src/domain/changes';
import { createConsumer, deleteConsumer } from '../../src/domain/consumers';
import { createProvider } from '../../src/domain/providers';
import { deleteRelation, recordRelation } from '../../src/domain/relations';
import type { RelationStore } from '../../src/analytics/serving/store';
import { canonical, canonicalSnapshot } from '../support/canonical-graph';
import { onPostgres } from '../support/test-database';

// A start from the graph file must hold exactly what a full read of the database holds: the file
// is only ever a faster way to the same graph, and any file that cannot be placed is passed over.

const folder = mkdtempSync(join(tmpdir(), 'rapport-graph-file-'));
let files = 0;
const newFile = () => join(folder, `graph-${++files}`);
const projection = (file?: string) => new GraphProjection(config().databaseUrl, db(), driver(), file);

async function loaded(file?: string): Promise<GraphProjection> {
  const graph = projection(file);
  await graph.refresh();
  return graph;
}

/** Each party's degree, by node key: the store derives degrees on a restore rather than reading them. */
function degrees(store: RelationStore): Record<string, number> {
  const byKey: Record<string, number> = {};
  for (let node = 0; node < store.nodeBound; node++) {
    if (store.isNode(node)) byKey[`${store.sideOf(node)}:${store.idOf(node)}`] = store.degree(node);
  }
  return byKey;
}

function expectSameGraph(restored: GraphProjection, read: GraphProjection): void {
  expect(canonical(restored.view().store)).toEqual(canonical(read.view().store));
  expect(degrees(restored.view().store)).toEqual(degrees(read.view().store));
  expect(canonicalSnapshot(restored.snapshot())).toEqual(canonicalSnapshot(read.snapshot()));
}

let consumers: number[] = [];
let providers: number[] = [];

beforeAll(async () => {
  consumers = [];
  providers = [];
  for (let index = 0; index < 6; index++) {
    consumers.push((await createConsumer({ name: `Consumer ${index}`, email: `c${index}@example.com` })).id);
  }
  for (let index = 0; index < 3; index++) {
    providers.push((await createProvider({ name: `Provider ${index}`, contactEmail: `p${index}@example.com`, category: 'x' })).id);
  }
  const [c0, c1, c2, c3, c4] = consumers;
  const [p0, p1, p2] = providers;
  // One pair and kind in three currencies (the second and third are kept beside the typed arrays),
  // a time far from 2000 (kept beside them too), ratings, and a party deleted (the image compacts).
  for (const currency of ['EUR', 'USD', 'GBP']) {
    await recordRelation({ consumerId: c0, providerId: p0, kind: 'PURCHASE', occurredAt: new Date('2026-03-01T10:00:00.123Z'), amountMinor: 1250, currency });
  }
  await recordRelation({ consumerId: c0, providerId: p0, kind: 'PURCHASE', occurredAt: new Date('1901-06-01T00:00:00Z'), amountMinor: 5, currency: 'EUR' });
  await recordRelation({ consumerId: c1, providerId: p0, kind: 'REVIEW', occurredAt: new Date('2026-03-02T00:00:00Z'), rating: 4 });
  await recordRelation({ consumerId: c1, providerId: p1, kind: 'SUBSCRIPTION', occurredAt: new Date('2026-03-03T00:00:00Z'), amountMinor: 999, currency: 'EUR' });
  await recordRelation({ consumerId: c2, providerId: p1, kind: 'FAVORITE', occurredAt: new Date('2026-03-04T00:00:00Z') });
  await recordRelation({ consumerId: c3, providerId: p2, kind: 'REVIEW', occurredAt: new Date('2026-03-05T00:00:00Z'), rating: 2 });
  await recordRelation({ consumerId: c4, providerId: p2, kind: 'PURCHASE', occurredAt: new Date('2026-03-06T00:00:00Z'), amountMinor: 300, currency: 'USD' });
  await deleteConsumer(c4, { cascade: true });
});

it('starts from the saved graph, catches up with the changes since, and equals a full read', async () => {
  const file = newFile();
  const first = await loaded(file);
  expect(first.origin).toEqual({ from: 'database' });
  await first.save();
  expect(statSync(file).mode & 0o777).toBe(0o600);
  expect(readdirSync(folder).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  expectSameGraph(await loaded(file), await loaded());

  const [c0, c1, , , , c5] = consumers;
  const [p0, p1, p2] = providers;
  const removed = await recordRelation({ consumerId: c5, providerId: p2, kind: 'FAVORITE', occurredAt: new Date('2026-04-01T00:00:00Z') });
  await recordRelation({ consumerId: c1, providerId: p0, kind: 'REVIEW', occurredAt: new Date('2026-04-02T00:00:00Z'), rating: 5 });
  await recordRelation({ consumerId: c0, providerId: p1, kind: 'PURCHASE', occurredAt: new Date('2026-04-03T00:00:00Z'), amountMinor: 70, currency: 'GBP' });
  const newcomer = (await createConsumer({ name: 'Newcomer', email: 'new@example.com' })).id;
  await recordRelation({ consumerId: newcomer, providerId: p1, kind: 'FAVORITE', occurredAt: new Date('2026-04-04T00:00:00Z') });
  await deleteRelation(removed.id);

  const restored = await loaded(file);
  expect(restored.origin).toEqual({ from: 'file' });
  const read = await loaded();
  expectSameGraph(restored, read);
  expect(restored.view().store.size).toBe(read.view().store.size);

  // Saved again at the new position, the next start replays nothing and holds the same graph.
  await restored.save();
  const again = await loaded(file);
  expect(again.origin).toEqual({ from: 'file' });
  expectSameGraph(again, read);
  // A graph unchanged since it was read from the file is not written again.
  const written = statSync(file).mtimeMs;
  await again.save();
  expect(statSync(file).mtimeMs).toBe(written);
});

it('reads the database after a bulk load logged since the save', async () => {
  const file = newFile();
  await (await loaded(file)).save();
  await recordRelation({ consumerId: consumers[2], providerId: providers[0], kind: 'FAVORITE', occurredAt: new Date('2026-05-01T00:00:00Z') });
  await db().$transaction((tx) => recordChange(tx, { type: 'bulkLoaded' }));
  const restored = await loaded(file);
  expect(restored.origin).toEqual({ from: 'database' });
  expectSameGraph(restored, await loaded());
});

it('leaves the graph where the configuration says, after a bulk load (what db:seed does)', async () => {
  const saved = await saveGraphFile();
  if (onPostgres) {
    expect(saved).toBeUndefined(); // no graph file unless GRAPH_FILE names one
    return;
  }
  expect(saved).toBe(`${config().databaseUrl.slice('file:'.length)}.graph`);
  const graph = await loaded(saved);
  expect(graph.origin).toEqual({ from: 'file' });
  expectSameGraph(graph, await loaded());
});

describe('a graph file that cannot be placed is passed over, with the reason', () => {
  async function savedFile(): Promise<string> {
    const file = newFile();
    await (await loaded(file)).save();
    return file;
  }

  async function expectIgnored(file: string, reason: RegExp): Promise<void> {
    const graph = await loaded(file);
    expect(graph.origin?.from).toBe('database');
    expect(graph.origin?.fileIgnored).toMatch(reason);
    expectSameGraph(graph, await loaded());
  }

  it('a damaged or cut-short file', async () => {
    const damaged = await savedFile();
    const bytes = readFileSync(damaged);
    bytes[bytes.length - 3] ^= 0xff;
    writeFileSync(damaged, bytes);
    await expectIgnored(damaged, /checksum does not match/);

    const cut = await savedFile();
    writeFileSync(cut, readFileSync(cut).subarray(0, 100));
    await expectIgnored(cut, /checksum does not match/);
  });

  it('a file that is not a graph file', async () => {
    const other = newFile();
    writeFileSync(other, 'consumer,provider\n1,2\n');
    await expectIgnored(other, /not a Rapport graph file/);
  });

  it('a file older than the change log reaches back', async () => {
    const file = await savedFile();
    const now = Date.now();
    const later = jest.spyOn(Date, 'now').mockReturnValue(now + 13 * 60 * 60 * 1000);
    try {
      await expectIgnored(file, /older than the change log/);
    } finally {
      later.mockRestore();
    }
  });

  it('a file whose change is no longer in the change log (another database, or pruned)', async () => {
    const file = await savedFile();
    expect(await pruneChangeLog(Date.now() + 2 * 24 * 60 * 60 * 1000)).toBeGreaterThan(0);
    await expectIgnored(file, /not in this database/);
  });

  it('no file at all: a full read, nothing to report', async () => {
    const graph = await loaded(join(folder, 'never-saved'));
    expect(graph.origin).toEqual({ from: 'database' });
  });
});
