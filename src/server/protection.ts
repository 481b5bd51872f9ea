import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import {
  type DocumentNode,
  GraphQLError,
  GraphQLInt,
  type GraphQLSchema,
  TypeInfo,
  getNamedType,
  valueFromAST,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { Caller } from '../auth/caller';

/** The largest page a connection serves; asking for more is refused, not silently cut. */
export const MAX_PAGE_SIZE = 100;

/**
 * Limits tuned so that every operation in README, docs and tests passes with room to spare
 * (the deepest, GraphiQL's examples, is 8 levels and costs about 600), while abusive documents
 * are refused before execution.
 */
export const QUERY_LIMITS = { depth: 12, cost: 50_000, aliases: 30, tokens: 4_000, directives: 20 };

export function hostileQueryPlugins(production: boolean): Plugin[] {
  return [
    EnvelopArmorPlugin({
      maxDepth: { n: QUERY_LIMITS.depth, ignoreIntrospection: true },
      costLimit: { maxCost: QUERY_LIMITS.cost, ignoreIntrospection: true },
      maxAliases: { n: QUERY_LIMITS.aliases },
      maxTokens: { n: QUERY_LIMITS.tokens },
      maxDirectives: { n: QUERY_LIMITS.directives },
      // Suggestions ("did you mean email?") map the schema for an attacker; developers want them.
      blockFieldSuggestion: { enabled: production },
    }) as Plugin,
    usePageSizeLimit(),
    // Browsers send an Authorization header only after a CORS preflight, so such requests are safe.
    useCSRFPrevention({ requestHeaders: ['x-graphql-yoga-csrf', 'authorization'] }),
  ];
}

/** `first`/`last` arguments of connection fields above MAX_PAGE_SIZE, with where they were asked. */
function oversizedPages(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown>): string[] {
  const typeInfo = new TypeInfo(schema);
  const problems: string[] = [];
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const field = typeInfo.getFieldDef();
        const parent = typeInfo.getParentType();
        if (!field || !parent || !getNamedType(field.type).name.endsWith('Connection')) return;
        for (const argument of node.arguments ?? []) {
          if (argument.name.value !== 'first' && argument.name.value !== 'last') continue;
          const size = valueFromAST(argument.value, GraphQLInt, variables);
          if (typeof size === 'number' && size > MAX_PAGE_SIZE) {
            problems.push(`${parent.name}.${field.name}(${argument.name.value}: ${size})`);
          }
        }
      },
    }),
  );
  return problems;
}

function usePageSizeLimit(): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const problems = oversizedPages(args.schema, args.document, (args.variableValues ?? {}) as Record<string, unknown>);
      if (problems.length === 0) return;
      setResultAndStopExecution({
        errors: problems.map(
          (problem) =>
            new GraphQLError(`${problem} asks for more than ${MAX_PAGE_SIZE} items; page through with after/before instead`, {
              extensions: { code: 'PAGE_TOO_LARGE' },
            }),
        ),
      });
    },
  };
}

/** Per-caller request budget: by API key, or by client address without one. */
export function createRateLimiter(perMinute: number) {
  const limiter = new RateLimiterMemory({ points: perMinute, duration: 60 });
  return async (caller: Caller, clientAddress: string): Promise<void> => {
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
}
