import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { printedSchema } from '../src/schema';

describe('schema.graphql', () => {
  it('is the current schema (run `npm run schema` after changing the API)', () => {
    const committed = readFileSync(join(__dirname, '..', 'schema.graphql'), 'utf8');
    expect(committed).toBe(printedSchema());
  });
});
