import graphqlPlugin from '@graphql-eslint/eslint-plugin';

/**
 * Lints the committed schema.graphql (`npm run lint:schema`, run by CI) with graphql-eslint's
 * schema-recommended and schema-relay rule sets. Every departure from them is below, with why.
 */

/**
 * Object types without an `id`: values that exist only inside their parent or one answer, which
 * no client refetches, updates or deletes by ID. Client caches store them inside the parent (the
 * README's client settings give Apollo and urql the same list).
 */
const VALUE_TYPES = [
  'AuditEntry', // an append-only record, only ever listed (by cursor) and never changed
  'Community', // recomputed per graph version: index 0 is "the largest now", not a stable identity
  'CommunityPartition',
  'ConsumerRanking', // rankings, statistics, recommendations and similarities: computed answers
  'ConsumerRankingEntry',
  'GraphStats',
  'GraphOverview', // one map's worth of the graph; its nodes are keyed within that answer only
  'OverviewNode',
  'GraphChange', // an event of the graphChanged subscription
  'ProviderRanking',
  'ProviderRankingEntry',
  'ProviderRecommendation',
  'RecommendationReason',
  'SimilarConsumer',
  'SimilarProvider',
  'WebhookEndpointWithSecret', // one mutation's answer, holding a secret shown once
  'WebhookReplay',
  'Relationship', // a consumer–provider pair's computed strength; the pair's nodes carry the IDs
  'StrengthComponents',
  'AnswerWindow', // the time window an answer covers
  'ProviderHistoryPoint', // a computed point of a provider's history
  'SegmentMembershipEvent', // one entry or exit, delivered once
  'ProviderStats', // aggregates of a Provider, reached only through it
  'Money',
  'Deletion', // mutation results: `deletedId` names what is gone
  'Erasure',
  'ConsumerMerge',
  'FieldIssue', // part of an InvalidInputError
  'Viewer', // the caller of this request
  'PageInfo', // Relay's own type
];

export default [
  {
    files: ['schema.graphql'],
    languageOptions: { parser: graphqlPlugin.parser, parserOptions: { graphQLConfig: { schema: 'schema.graphql' } } },
    plugins: { '@graphql-eslint': graphqlPlugin },
    rules: {
      ...graphqlPlugin.configs['flat/schema-recommended'].rules,
      ...graphqlPlugin.configs['flat/schema-relay'].rules,
      // Stricter than the rule set, which asks only for types and root fields: every type, field,
      // argument and input field says what it is. Enum values may go without (their type's
      // description covers them, e.g. RelationKind, or their names say it, e.g. ASC).
      '@graphql-eslint/require-description': [
        'error',
        { types: true, rootField: true, DirectiveDefinition: true, FieldDefinition: true, InputValueDefinition: true },
      ],
      '@graphql-eslint/strict-id-in-types': [
        'error',
        {
          acceptedIdNames: ['id'],
          acceptedIdTypes: ['ID'],
          exceptions: {
            types: VALUE_TYPES,
            // Connections and edges are pages, not objects; `...Success` and `...Error` types are
            // one mutation's answer. None has an identity of its own.
            suffixes: ['Connection', 'Edge', 'Success', 'Error'],
          },
        },
      ],
      // Relay's connection spec does not forbid plain lists: short, bounded lists (revenue per
      // currency, a ranking's `first` entries, a path, an error's issues) are lists on purpose.
      // Connections of value types (communities, relationships, audit entries) page through
      // objects that have no global ID, so their edges' nodes cannot implement Node.
      '@graphql-eslint/relay-edge-types': [
        'error',
        { withEdgeSuffix: true, shouldImplementNode: false, listTypeCanWrapOnlyEdgeType: false },
      ],
    },
  },
];
