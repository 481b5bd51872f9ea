import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { db, disconnectDb } from '../../src/db/client';
import { createConsumer, createProvider } from '../support/factories';
import { app, execute, keyFor, run } from '../support/graphql';

const AUDIT = `query ($filter: AuditFilter) {
  auditLog(first: 20, filter: $filter) { edges { node { operation actorRole actorKeyId actorId targetIds outcome at } } }
}`;

async function auditEntries(filter: Record<string, string> = {}) {
  const data = await run(AUDIT, { filter });
  return data.auditLog.edges.map((edge: any) => edge.node);
}

describe('audit log', () => {
  it('records every mutation attempt: who, what, which IDs, and how it ended, with no personal data', async () => {
    const provider = await createProvider();
    const consumer = await createConsumer({ email: 'audited@example.com' });
    const providerKey = await keyFor('PROVIDER', provider.id);

    const refused = await execute(
      'mutation ($id: ID!) { updateConsumer(id: $id, input: { name: "Hijacked" }) { __typename } }',
      { id: consumer.id },
      { key: providerKey },
    );
    expect(refused.errors?.[0].extensions?.code).toBe('ForbiddenError');
    await run('mutation ($id: ID!) { updateConsumer(id: $id, input: { email: "not an email" }) { __typename } }', { id: consumer.id });

    const [invalid, forbidden] = await auditEntries({ operation: 'updateConsumer' });
    expect(forbidden).toMatchObject({ actorRole: 'PROVIDER', actorId: provider.id, targetIds: [consumer.id], outcome: 'ForbiddenError' });
    expect(invalid).toMatchObject({ actorRole: 'ADMIN', actorId: null, targetIds: [consumer.id], outcome: 'InvalidInputError' });

    const [created] = await auditEntries({ targetId: consumer.id, operation: 'createConsumer' });
    expect(created).toMatchObject({ operation: 'createConsumer', outcome: 'OK', targetIds: [consumer.id] });
    expect(JSON.stringify(await auditEntries())).not.toContain('audited@example.com');
  });

  it('is append-only: the database refuses to change or delete an entry', async () => {
    await expect(db().$executeRawUnsafe(`UPDATE "AuditEntry" SET "outcome" = 'OK'`)).rejects.toThrow('AuditEntry is append-only');
    await expect(db().$executeRawUnsafe('DELETE FROM "AuditEntry"')).rejects.toThrow('AuditEntry is append-only');
  });
});

describe('API keys', () => {
  const cli = (...args: string[]) =>
    execFileSync(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'scripts/key.ts', ...args], {
      cwd: join(__dirname, '..', '..'),
      // Jest gives tests a copy of process.env; the test database's URL is only in that copy.
      env: { ...process.env },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });

  it('are created, listed and revoked with `npm run key`, and revocation takes effect on the next request', async () => {
    const provider = await createProvider();
    await disconnectDb();
    const created = cli('create', '--role', 'provider', '--provider', provider.id, '--label', 'shop backend');
    const secret = /\n\s+(rpk_\S+)\n/.exec(created)![1];
    const keyId = /Created key (\d+)/.exec(created)![1];

    const viewer = await run('{ viewer { role provider { id } } }', {}, { key: secret });
    expect(viewer.viewer).toEqual({ role: 'PROVIDER', provider: { id: provider.id } });

    const listed = cli('list');
    expect(listed).toMatch(new RegExp(`${keyId}\\tprovider \\d+\\t${secret.slice(0, 12)}…\\tactive\\tshop backend`));
    expect(listed).not.toContain(secret);

    cli('revoke', keyId);
    const refused = await execute('{ viewer { role } }', {}, { key: secret });
    expect(refused.errors?.[0]).toMatchObject({
      message: 'This API key is not valid or has been revoked',
      extensions: { code: 'AuthenticationError' },
    });
  });

  it('explain what is wrong with a bad command', () => {
    const fail = (...args: string[]) => {
      try {
        cli(...args);
      } catch (error) {
        return (error as { stderr: string }).stderr;
      }
      throw new Error('the command succeeded');
    };
    expect(fail('create', '--role', 'provider')).toContain('providerId: a PROVIDER key must name the provider it acts for');
    expect(fail('create', '--role', 'king')).toContain('--role must be admin, provider or consumer');
    expect(fail('create', '--role', 'consumer', '--consumer', 'UHJvdmlkZXI6MQ==')).toContain('is not the ID of a Consumer');
    expect(fail('revoke', '99999')).toContain('no apikey with this ID exists');
  });

  it('refuse a malformed Authorization header with 401', async () => {
    const response = await app.fetch('http://rapport.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Token abc' },
      body: JSON.stringify({ query: '{ viewer { role } }' }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect((await response.json()).errors[0].message).toBe('The Authorization header must be "Bearer <API key>"');
  });
});
