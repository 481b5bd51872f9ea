import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import {
  type ASTVisitor,
  type ArgumentNode,
  type DocumentNode,
  GraphQLError,
  GraphQLInt,
  Kind,
  type GraphQLSchema,
  TypeInfo,
  type ValidationContext,
  getNamedType,
  valueFromAST,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Caller } from '../auth/caller';

/** The largest page a connection serves; asking for more is refused, not silently cut. */
const MAX_PAGE_SIZE = 100;

/**
 * Limits tuned so that every operation in README, GraphiQL's examples and the tests passes (the
 * costliest, two 1,000-entry rankings in one document, costs 30,250), while abusive documents are
 * refused before execution (test/security/hostile-queries.test.ts).
 */
const QUERY_LIMITS = { depth: 12, cost: 50_000, aliases: 30, tokens: 4_000, directives: 20 };

export function hostileQueryPlugins(production: boolean): Plugin[] {
  return [
    usePageSizeLimit(),
    EnvelopArmorPlugin({
      maxDepth: { n: QUERY_LIMITS.depth, ignoreIntrospection: true },
      costLimit: { maxCost: QUERY_LIMITS.cost, ignoreIntrospection: true },
      maxAliases: { n: QUERY_LIMITS.aliases },
      maxTokens: { n: QUERY_LIMITS.tokens },
      maxDirectives: { n: QUERY_LIMITS.directives },
      // Suggestions ("did you mean email?") map the schema for an attacker; developers want them.
      blockFieldSuggestion: { enabled: production },
    }) as Plugin,
    // Browsers send an Authorization header only after a CORS preflight, so such requests are safe.
    useCSRFPrevention({ requestHeaders: ['x-graphql-yoga-csrf', 'authorization'] }),
  ];
}

/** Connection arguments (`first`/`last`) in a document that ask for more than MAX_PAGE_SIZE items. */
function oversizedPages(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown>) {
  const typeInfo = new TypeInfo(schema);
  const errors: GraphQLError[] = [];
  const checkArgument = (argument: ArgumentNode) => {
    const field = typeInfo.getFieldDef();
    if (!field || !['first', 'last'].includes(argument.name.value)) return;
    if (!getNamedType(field.type).name.endsWith('Connection')) return;
    const size = valueFromAST(argument.value, GraphQLInt, variables);
    if (typeof size !== 'number' || size <= MAX_PAGE_SIZE) return;
    const asked = `${typeInfo.getParentType()?.name}.${field.name}(${argument.name.value}: ${size})`;
    errors.push(
      new GraphQLError(`${asked} asks for more than ${MAX_PAGE_SIZE} items; page through with after/before instead`, {
        nodes: [argument],
        extensions: { code: 'PAGE_TOO_LARGE' },
      }),
    );
  };
  visit(document, visitWithTypeInfo(typeInfo, { Argument: checkArgument }));
  return errors;
}

const sizedByVariables = new WeakMap<DocumentNode, boolean>();

/** Whether a `first`/`last` argument takes a variable: else validation has checked every size. Cached per document. */
function pagesSizedByVariables(document: DocumentNode): boolean {
  let found = sizedByVariables.get(document);
  if (found === undefined) {
    found = false;
    visit(document, {
      Argument: (argument) => {
        if (['first', 'last'].includes(argument.name.value) && argument.value.kind === Kind.VARIABLE) found = true;
      },
    });
    sizedByVariables.set(document, found);
  }
  return found;
}

/**
 * Refuses `first`/`last` above MAX_PAGE_SIZE on any connection (plugin-prisma would cut the page
 * silently). Sizes written in the document are checked while validating, on entering the
 * document, before the cost limit (which a huge page also trips) gives a vaguer reason. Sizes
 * passed as variables are checked before each execution: validation results are cached per
 * document, whatever its variables.
 */
function usePageSizeLimit(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule((validation: ValidationContext): ASTVisitor => ({
        Document(document) {
          const [first] = oversizedPages(validation.getSchema(), document, {});
          // Thrown, like graphql-armor's rejections, so validation stops here with this message.
          if (first) throw first;
        },
      }));
    },
    onExecute({ args, setResultAndStopExecution }) {
      if (!pagesSizedByVariables(args.document)) return;
      const variables = (args.variableValues ?? {}) as Record<string, unknown>;
      const [first] = oversizedPages(args.schema, args.document, variables);
      if (first) setResultAndStopExecution({ errors: [first] });
    },
  };
}

export interface RateLimitOptions {
  perMinute: number;
  /** Shares the counters between server processes through this Redis; else each process counts alone. */
  redisUrl?: string;
  /** Names the counters in Redis. */
  prefix?: string;
}

/**
 * Per-caller request budget: by API key, or by client address without one. `check` refuses a
 * request over budget; `plugin` closes the Redis connection when the app is disposed.
 */
export function createRateLimiter({ perMinute, redisUrl, prefix = 'rapport:rate' }: RateLimitOptions) {
  const options = { points: perMinute, duration: 60, keyPrefix: prefix };
  const redis = redisUrl ? new Redis(redisUrl, { lazyConnect: true }) : undefined;
  const limiter = redis ? new RateLimiterRedis({ ...options, storeClient: redis }) : new RateLimiterMemory(options);
  const plugin: Plugin = { onDispose: async () => void (await redis?.quit()) };
  const check = async (caller: Caller, clientAddress: string): Promise<void> => {
    const bucket = 'keyId' in caller ? `key:${caller.keyId}` : `address:${clientAddress}`;
    try {
      await limiter.consume(bucket);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const retryAfter = Math.ceil(rejection.msBeforeNext / 1000);
      throw new GraphQLError(`Too many requests: at most ${perMinute} a minute per API key; retry in ${retryAfter} s`, {
        extensions: { code: 'RATE_LIMITED', http: { status: 429, headers: { 'retry-after': String(retryAfter) } } },
      });
    }
  };
  return { check, plugin };
}
