import { parse } from 'csv-parse/sync';
import { createApp } from '../src/server/app';
import { createLogger } from '../src/server/logger';
import { csvField } from '../src/server/segment-export';
import { createConsumer, createProvider, purchase } from './support/factories';
import { adminKey, app, execute, keyFor, run } from './support/graphql';

// The segment CSV export over HTTP (yoga.fetch): who may download it, and that each row shows
// exactly what the API's `members` field shows the same API key.

const consumers: { id: string; name: string }[] = [];
let provider: { id: string };
let otherProvider: { id: string };
let platformSegment: string;
let providerSegment: string;

const CREATE = `mutation ($input: SegmentInput!, $provider: ID) {
  createSegment(input: $input, provider: $provider) { ... on CreateSegmentSuccess { segment { id } } }
}`;

beforeAll(async () => {
  provider = await createProvider({ name: 'Owner' });
  otherProvider = await createProvider({ name: 'Other' });
  const people = [
    { name: 'Ann, "the first"', marketingConsent: true, phone: '+44 20 7946 0958', externalId: 'crm:ann' },
    { name: '=HYPERLINK("x")', marketingConsent: false },
    { name: 'Cat', marketingConsent: true, externalId: 'crm:cat' },
    { name: 'Dan (not a customer)', marketingConsent: true },
  ];
  for (const person of people) consumers.push(await createConsumer(person));
  for (const consumer of consumers.slice(0, 3)) await purchase(consumer.id, provider.id);
  await purchase(consumers[3].id, otherProvider.id);
  const anyRelation = { relations: { minCount: 1 } };
  platformSegment = (await run(CREATE, { input: { name: 'everyone', definition: anyRelation } })).createSegment.segment.id;
  providerSegment = (await run(CREATE, { input: { name: 'customers', definition: anyRelation } }, { key: await keyFor('PROVIDER', provider.id) }))
    .createSegment.segment.id;
});

async function download(segmentId: string, key: string | null) {
  const response = await app.fetch(`http://rapport.test/segments/${encodeURIComponent(segmentId)}/members.csv`, {
    headers: key ? { authorization: `Bearer ${key}` } : {},
  });
  return { response, body: await response.text() };
}

/** What `members` shows the key, in the export's columns. */
async function membersByApi(segmentId: string, key: string, fields: string[]) {
  const data = await run(
    `query ($id: ID!) { segment(id: $id) { members(first: 100) { edges { node { id externalId name ${fields.join(' ')} marketingConsent } } } } }`,
    { id: segmentId },
    { key },
  );
  return data.segment.members.edges.map(({ node }: any) => node);
}

const unformula = (text: string | null) => (text && /^[=+\-@]/.test(text) ? `'${text}` : text);

describe('GET /segments/<id>/members.csv', () => {
  it('gives an admin every member with the fields the API shows an admin, streamed as CSV', async () => {
    const key = await adminKey();
    const { response, body } = await download(platformSegment, key);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const rows: Record<string, string>[] = parse(body, { columns: true });
    expect(Object.keys(rows[0])).toEqual(['id', 'externalId', 'name', 'email', 'phone', 'marketingConsent', 'memberSince']);
    const api = await membersByApi(platformSegment, key, ['email', 'phone']);
    expect(api).toHaveLength(4);
    expect(rows.map(({ memberSince, ...row }) => ({ ...row, since: Number.isNaN(Date.parse(memberSince)) }))).toEqual(
      api.map((node: any) => ({
        id: node.id,
        externalId: unformula(node.externalId) ?? '',
        name: unformula(node.name),
        email: unformula(node.email) ?? '',
        phone: unformula(node.phone) ?? '',
        marketingConsent: String(node.marketingConsent),
        since: false,
      })),
    );
  });

  it('gives the owning provider its customers, email only where they consented and no phone, as the API does', async () => {
    const key = await keyFor('PROVIDER', provider.id);
    const { response, body } = await download(providerSegment, key);
    expect(response.status).toBe(200);
    const rows: Record<string, string>[] = parse(body, { columns: true });
    expect(Object.keys(rows[0])).toEqual(['id', 'externalId', 'name', 'email', 'marketingConsent', 'memberSince']);
    const api = await membersByApi(providerSegment, key, []);
    expect(rows.map((row) => row.id)).toEqual(api.map((node: any) => node.id));
    expect(rows.map((row) => row.id)).toEqual(consumers.slice(0, 3).map((consumer) => consumer.id));
    for (const row of rows) {
      const shown = await execute(`query ($id: ID!) { consumer(id: $id) { email } }`, { id: row.id }, { key });
      expect(row.email).toBe(shown.data?.consumer?.email ?? '');
    }
    expect(rows[1].email).toBe(''); // no consent
    expect(rows[0].email).not.toBe('');
  });

  it('refuses anyone who may not read the members, and other methods', async () => {
    expect((await download(providerSegment, null)).response.status).toBe(401);
    expect((await download(providerSegment, 'not-a-key')).response.status).toBe(401);
    expect((await download(platformSegment, await keyFor('PROVIDER', provider.id))).response.status).toBe(404);
    expect((await download(providerSegment, await keyFor('PROVIDER', otherProvider.id))).response.status).toBe(404);
    expect((await download(providerSegment, await keyFor('CONSUMER', consumers[0].id))).response.status).toBe(404);
    const notASegment = await download(consumers[0].id, await adminKey());
    expect(notASegment.response.status).toBe(400);
    expect(notASegment.body).toMatch(/must be the ID of a Segment/);
    const malformed = await app.fetch('http://rapport.test/segments/%E0%A4%A/members.csv', { headers: { authorization: `Bearer ${await adminKey()}` } });
    expect(malformed.status).toBe(400);
    expect(await malformed.text()).toMatch(/not valid percent-encoding/);
    const post = await app.fetch(`http://rapport.test/segments/${platformSegment}/members.csv`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await adminKey()}` },
    });
    expect(post.status).toBe(405);
  });

  it('follows membership: a new customer is in the next export', async () => {
    const key = await keyFor('PROVIDER', provider.id);
    await purchase(consumers[3].id, provider.id);
    const rows: Record<string, string>[] = parse((await download(providerSegment, key)).body, { columns: true });
    expect(rows.map((row) => row.id)).toEqual(consumers.map((consumer) => consumer.id));
  });
});

it('refuses an export larger than its bound, naming the paginated field', async () => {
  const small = createApp({ logger: createLogger('silent'), production: false, maxExportedMembers: 2 });
  const response = await small.fetch(`http://rapport.test/segments/${platformSegment}/members.csv`, {
    headers: { authorization: `Bearer ${await adminKey()}` },
  });
  expect(response.status).toBe(413);
  expect(await response.text()).toMatch(/at most 2: page through Segment.members/);
  await small.dispose();
});

describe('CSV fields', () => {
  it('quote separators and neutralise formulas', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"\n')).toBe('"say ""hi""\n"');
    expect(csvField('=1+1')).toBe("'=1+1");
    expect(csvField('-2')).toBe("'-2");
    expect(csvField(null)).toBe('');
  });
});
