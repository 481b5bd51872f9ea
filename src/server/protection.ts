import { createHash } from 'node:crypto';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { LRUCache } from 'lru-cache';
import { type DocumentNode, GraphQLError, visit } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Caller } from '../auth/caller';
import { malformedCursor } from '../schema/cursors';
import { type CostLimits, checkOperation } from './cost';

/**
 * Limits tuned so that every operation in README, GraphiQL's examples and the tests passes,
 * while abusive documents are refused before execution (test/security/hostile-queries.test.ts,
 * test/security/hardening.test.ts). docs/security.md lists them.
 */
export const QUERY_LIMITS = {
  depth: 12,
  aliases: 30,
  tokens: 4_000,
  directives: 20,
  /** Characters of a document: with the token limit, this bounds what the parse cache holds. */
  documentLength: 50_000,
  operationNameLength: 100,
} as const;

export const COST_LIMITS: CostLimits = { maxCost: 25_000, maxPageSize: 100, maxListItems: 100, maxStringLength: 10_000 };

/** Who may introspect the schema: anyone, admin keys only, or nobody. */
export type IntrospectionAccess = 'open' | 'admin' | 'off';

export interface ProtectionOptions {
  production: boolean;
  introspection: IntrospectionAccess;
  /** A response larger than this, serialized, is replaced by an error. */
  maxResponseBytes: number;
}

export function hostileQueryPlugins({ production, introspection, maxResponseBytes }: ProtectionOptions): Plugin[] {
  return [
    useDocumentLimits(),
    useExecutionLimits(introspection),
    useResponseSizeLimit(maxResponseBytes),
    EnvelopArmorPlugin({
      maxDepth: { n: QUERY_LIMITS.depth, ignoreIntrospection: true },
      // Cost is checked with each execution's variables (src/server/cost.ts), not per document.
      costLimit: { enabled: false },
      maxAliases: { n: QUERY_LIMITS.aliases },
      maxTokens: { n: QUERY_LIMITS.tokens },
      maxDirectives: { n: QUERY_LIMITS.directives },
      blockFieldSuggestion: { enabled: false },
    }) as Plugin,
    // Suggestions ("did you mean email?") map the schema for an attacker; developers want them.
    ...(production ? [useHiddenSuggestions()] : []),
    // Browsers send an Authorization header only after a CORS preflight, so such requests are safe.
    useCSRFPrevention({ requestHeaders: ['x-graphql-yoga-csrf', 'authorization'] }),
  ];
}

function badRequest(message: string, code: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { status: 400 } } });
}

/** Refuses, before parsing, documents and operation names too long to be worth parsing or labelling. */
function useDocumentLimits(): Plugin {
  return {
    onParams({ params }) {
      if (typeof params.query === 'string' && params.query.length > QUERY_LIMITS.documentLength) {
        throw badRequest(
          `The document has ${params.query.length} characters; at most ${QUERY_LIMITS.documentLength} are accepted`,
          'DOCUMENT_TOO_LARGE',
        );
      }
      if (typeof params.operationName === 'string' && params.operationName.length > QUERY_LIMITS.operationNameLength) {
        throw badRequest(`operationName may have at most ${QUERY_LIMITS.operationNameLength} characters`, 'OPERATION_NAME_TOO_LONG');
      }
    },
  };
}

function asksForIntrospection(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Field(field) {
      if (field.name.value === '__schema' || field.name.value === '__type') found = true;
    },
  });
  return found;
}

function introspectionAllowed(access: IntrospectionAccess, caller: Caller | undefined): boolean {
  return access === 'open' || (access === 'admin' && caller?.role === 'ADMIN');
}

/**
 * Checks each execution with its variables: validation results are cached per document,
 * whatever its variables, so page sizes, list lengths, texts and cost are only known here.
 */
function useExecutionLimits(introspection: IntrospectionAccess): Plugin<{ caller?: Caller }> {
  const check = (args: { schema: Parameters<typeof checkOperation>[0]; document: DocumentNode; operationName?: string | null; variableValues?: unknown; contextValue: { caller?: Caller } }) => {
    if (!introspectionAllowed(introspection, args.contextValue.caller) && asksForIntrospection(args.document)) {
      return new GraphQLError(
        introspection === 'off' ? 'Introspection is switched off on this server' : 'Introspection is for admin keys on this server',
        { extensions: { code: 'INTROSPECTION_FORBIDDEN' } },
      );
    }
    const variables = (args.variableValues ?? {}) as Record<string, unknown>;
    return checkOperation(args.schema, args.document, args.operationName, variables, COST_LIMITS, malformedCursor);
  };
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const refusal = check(args);
      if (refusal) setResultAndStopExecution({ errors: [refusal] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const refusal = check(args);
      if (refusal) setResultAndStopExecution({ errors: [refusal] });
    },
  };
}

/**
 * Texts of results that hold only data, by their data object. The size limit measures a result's
 * text and the response sends the same text; an answer the response cache serves keeps its data
 * object from hit to hit, so it is serialized once, not at every hit (12% of a cached consumer
 * page's CPU). Plugins copy a result (yoga strips its `http` extension, the cache marks its hits)
 * but never change its data once executed.
 */
const dataTexts = new WeakMap<object, string>();

/** Whether JSON.stringify writes nothing of `result` but its data: no errors, no extensions. */
function holdsOnlyData(result: Record<string, unknown>): result is { data: object } {
  if (typeof result.data !== 'object' || result.data === null) return false;
  for (const key in result) {
    const value = result[key];
    if (key !== 'data' && value !== undefined && typeof value !== 'function') return false;
  }
  return true;
}

/** JSON.stringify of a result, made once per data object for results that hold only data. */
function resultText(result: unknown): string {
  if (typeof result !== 'object' || result === null || !holdsOnlyData(result as Record<string, unknown>)) return JSON.stringify(result);
  const { data } = result as { data: object };
  let text = dataTexts.get(data);
  if (text === undefined) dataTexts.set(data, (text = JSON.stringify(result)));
  return text;
}

/**
 * The cost limit bounds how many values a response holds; this bounds their size (long texts
 * times many rows) before the response is sent. Yoga serializes a result with its `stringify`
 * when it has one: resultText, so the text measured is the text sent.
 */
function useResponseSizeLimit(maxBytes: number): Plugin {
  return {
    onExecute() {
      return {
        onExecuteDone({ result, setResult }) {
          if (Symbol.asyncIterator in result) return;
          const text = resultText(result);
          const bytes = Buffer.byteLength(text);
          if (bytes <= maxBytes) {
            const serializable = { ...result, stringify: resultText };
            setResult(serializable);
            return;
          }
          setResult({
            errors: [
              new GraphQLError(
                `The response would have ${bytes} bytes, more than the limit of ${maxBytes}: ask for fewer rows or fields`,
                { extensions: { code: 'RESPONSE_TOO_LARGE', limit: maxBytes } },
              ),
            ],
          });
        },
      };
    },
  };
}

const SUGGESTION = /\s*Did you mean [^?]*\?/g;

/** Removes every "Did you mean …?" (fields, arguments, types, enum values) from error messages. */
function useHiddenSuggestions(): Plugin {
  const hide = (error: GraphQLError) =>
    SUGGESTION.test(error.message)
      ? new GraphQLError(error.message.replace(SUGGESTION, ''), {
          nodes: error.nodes,
          path: error.path,
          extensions: error.extensions,
          originalError: error.originalError,
        })
      : error;
  return {
    onExecutionResult({ result, setResult }) {
      if (!result || Symbol.asyncIterator in result || !result.errors) return;
      setResult({ ...result, errors: result.errors.map((error) => hide(error as GraphQLError)) });
    },
  };
}

/** An LRU cache of what parsing documents gave, by `keyOf(document)`: each distinct document is parsed and validated once. */
function lruByDocument<Value extends {}>(maxEntries: number, keyOf: (document: string) => string) {
  const entries = new LRUCache<string, Value>({ max: maxEntries });
  return {
    get: (document: string): Value | undefined => entries.get(keyOf(document)),
    set: (document: string, value: Value): void => void entries.set(keyOf(document), value),
  };
}

/**
 * Parsed documents by their text: a parsed document holds its text already (graphql's
 * `loc.source`), so the key costs no memory, and no request's document is hashed.
 */
export function parsedDocumentCache<Value extends {}>(maxEntries: number) {
  return lruByDocument<Value>(maxEntries, (document) => document);
}

/** Parse errors by the SHA-256 of the document: an error does not hold its document, and must not make the cache hold long texts. */
export function parseErrorCache<Value extends {}>(maxEntries: number) {
  return lruByDocument<Value>(maxEntries, (document) => createHash('sha256').update(document).digest('base64'));
}

/** The SHA-256 (hex) of a document, as trusted-document manifests name them. */
export function documentHash(document: string): string {
  return createHash('sha256').update(document).digest('hex');
}

/** Allowed documents by the SHA-256 (hex) of their text, e.g. `npm run trusted-documents`'s output. */
export type TrustedDocuments = ReadonlyMap<string, string>;

export function readTrustedDocuments(manifest: string): TrustedDocuments {
  const entries = Object.entries(JSON.parse(manifest) as Record<string, string>);
  for (const [hash, document] of entries) {
    if (documentHash(document) !== hash) throw new Error(`Trusted documents: the entry ${hash} does not hash to its name`);
  }
  return new Map(entries);
}

/**
 * Trusted-documents mode: only operations on the allow-list run, sent either in full or by hash
 * (`documentId`, or `extensions.persistedQuery.sha256Hash`). Admin keys may send any document
 * (the operator's GraphiQL). Nothing else is parsed, so nobody else can spend validation time.
 */
export function useTrustedDocuments(trusted: TrustedDocuments, callerOf: (request: Request) => Caller): Plugin {
  return {
    onParams({ request, params, setParams }) {
      if (callerOf(request).role === 'ADMIN') return;
      const named = (params as { documentId?: unknown }).documentId ?? (params.extensions?.persistedQuery as { sha256Hash?: unknown } | undefined)?.sha256Hash;
      const hash = typeof named === 'string' ? named : typeof params.query === 'string' ? documentHash(params.query) : undefined;
      const document = hash === undefined ? undefined : trusted.get(hash);
      if (document === undefined) {
        throw badRequest(
          'This server runs only trusted documents: send one of the allowed operations (by its text, or its SHA-256 as documentId)',
          'PERSISTED_QUERY_NOT_FOUND',
        );
      }
      setParams({ ...params, query: document });
    },
  };
}
