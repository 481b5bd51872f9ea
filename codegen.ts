import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed client code from the committed schema.graphql, no server needed: `npm run codegen`.
 * The example client's operations become TypedDocumentNodes in examples/client/generated/.
 */
const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['examples/client/operations.ts'],
  ignoreNoDocuments: false,
  generates: {
    'examples/client/generated/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        scalars: { DateTime: 'string', SafeInt: 'number', ID: 'string' },
        enumsAsTypes: true,
        useTypeImports: true,
      },
    },
  },
};

export default config;
