import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { printedSchema } from '../src/schema';

const target = join(__dirname, '..', 'schema.graphql');
writeFileSync(target, printedSchema());
console.log(`Wrote ${target}`);
