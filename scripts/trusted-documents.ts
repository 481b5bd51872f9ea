import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DocumentNode, print } from 'graphql';
import * as generated from '../examples/client/generated/graphql';
import { documentHash } from '../src/server/protection';
import { runScript } from './run-script';

/**
 * `npm run trusted-documents [-- <file>]`: writes the allow-list for trusted-documents mode
 * (TRUSTED_DOCUMENTS=<file>, docs/security.md) from the example client's operations, as the
 * client sends them (`print` of each generated document), keyed by SHA-256.
 */
runScript('trusted-documents', () => {
  const target = process.argv[2] ?? join(__dirname, '..', 'trusted-documents.json');
  const documents = Object.entries(generated)
    .filter(([name]) => name.endsWith('Document'))
    .map(([, document]) => print(document as DocumentNode));
  const manifest = Object.fromEntries(documents.map((document) => [documentHash(document), document]));
  writeFileSync(target, `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`Wrote ${documents.length} trusted documents to ${target}`);
});
