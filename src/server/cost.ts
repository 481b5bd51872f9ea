import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLArgument,
  type GraphQLCompositeType,
  GraphQLError,
  type GraphQLField,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  getNamedType,
  getOperationAST,
  isCompositeType,
  isListType,
  getNullableType,
  valueFromAST,
} from 'graphql';

/**
 * What a document costs and asks for, read with the variables of one execution: validation
 * results are cached per document, so a size passed as a variable is only known here.
 */
export interface CostLimits {
  /** The largest cost an operation may have. */
  maxCost: number;
  /** `first`/`last` above this on a connection is refused (plugin-prisma would cut the page silently). */
  maxPageSize: number;
  /** Items in any list argument, e.g. `nodes(ids:)`. */
  maxListItems: number;
  /** Characters in any string argument or input field. */
  maxStringLength: number;
}

/** Page size of a connection asked without `first` or `last` (Pothos's default). */
const DEFAULT_CONNECTION_SIZE = 20;

type Variables = Record<string, unknown>;

/** What is wrong with one argument's value (e.g. a malformed cursor), or null. */
export type ArgumentCheck = (field: GraphQLField<unknown, unknown>, argument: string, value: unknown) => string | null;

interface Walk {
  schema: GraphQLSchema;
  fragments: Map<string, FragmentDefinitionNode>;
  variables: Variables;
  limits: CostLimits;
  checkArgument?: ArgumentCheck;
  refusal?: GraphQLError;
}

/**
 * The first limit the operation breaks, or null. Cost bounds the values the response can hold:
 * each object and scalar counts 1, times the size of every list on its path: `first`/`last`
 * (a connection without them counts its default page of 20), or the length of `ids`.
 */
export function checkOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Variables,
  limits: CostLimits,
  checkArgument?: ArgumentCheck,
): GraphQLError | null {
  const operation = getOperationAST(document, operationName);
  const root = operation && rootType(schema, operation);
  if (!operation || !root) return null;
  const fragments = new Map(
    document.definitions.flatMap((definition) => (definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition]] : [])),
  );
  const walk: Walk = { schema, fragments, variables, limits, checkArgument };
  const cost = selectionCost(walk, root, operation.selectionSet);
  if (walk.refusal) return walk.refusal;
  if (cost <= limits.maxCost) return null;
  return new GraphQLError(
    `This operation costs ${Math.round(cost)}, more than the limit of ${limits.maxCost}: ask for smaller pages (first/last), fewer nested lists or fewer fields`,
    { nodes: [operation], extensions: { code: 'COST_LIMIT_EXCEEDED', cost: Math.round(cost), limit: limits.maxCost } },
  );
}

function rootType(schema: GraphQLSchema, operation: OperationDefinitionNode) {
  if (operation.operation === 'mutation') return schema.getMutationType();
  if (operation.operation === 'subscription') return schema.getSubscriptionType();
  return schema.getQueryType();
}

function selectionCost(walk: Walk, parent: GraphQLCompositeType, selectionSet: SelectionSetNode): number {
  let cost = 0;
  for (const selection of selectionSet.selections) {
    if (walk.refusal) return cost;
    if (selection.kind === Kind.FIELD) {
      cost += fieldCost(walk, parent, selection);
      continue;
    }
    const fragment = selection.kind === Kind.FRAGMENT_SPREAD ? walk.fragments.get(selection.name.value) : selection;
    if (!fragment) continue;
    const condition = fragment.typeCondition ? walk.schema.getType(fragment.typeCondition.name.value) : parent;
    if (condition && isCompositeType(condition)) cost += selectionCost(walk, condition, fragment.selectionSet);
  }
  return cost;
}

function fieldCost(walk: Walk, parent: GraphQLCompositeType, node: FieldNode): number {
  const name = node.name.value;
  // Introspection has its own rule (who may introspect); its documents are fixed in shape.
  if (name === '__schema' || name === '__type') return 0;
  const field = 'getFields' in parent ? parent.getFields()[name] : undefined;
  if (!field) return 1;
  const args = argumentValues(walk, field, node);
  const type = getNamedType(field.type);
  if (!node.selectionSet || !isCompositeType(type)) return 1;
  return (1 + selectionCost(walk, type, node.selectionSet)) * listSize(walk, parent, field, node, args);
}

/** The argument values of one field, each checked against the list and string bounds. */
function argumentValues(walk: Walk, field: GraphQLField<unknown, unknown>, node: FieldNode): Map<string, unknown> {
  const values = new Map<string, unknown>();
  for (const argument of field.args) {
    const value = argumentValue(walk, argument, node);
    values.set(argument.name, value);
    const problem = oversized(value, walk.limits);
    if (problem && !walk.refusal) {
      walk.refusal = new GraphQLError(`${field.name}(${argument.name}:) ${problem}`, {
        nodes: [node],
        extensions: { code: 'INPUT_TOO_LARGE' },
      });
    }
    const invalid = walk.checkArgument?.(field, argument.name, value);
    if (invalid && !walk.refusal) {
      walk.refusal = new GraphQLError(`Invalid input: ${argument.name}: ${invalid}`, { nodes: [node], extensions: { code: 'InvalidInputError' } });
    }
  }
  return values;
}

function argumentValue(walk: Walk, argument: GraphQLArgument, node: FieldNode): unknown {
  const given = node.arguments?.find((candidate) => candidate.name.value === argument.name);
  if (!given) return argument.defaultValue;
  return valueFromAST(given.value, argument.type, walk.variables);
}

/** What is too large in an argument value (at any depth of lists and input objects), or null. */
function oversized(value: unknown, limits: CostLimits, path = ''): string | null {
  if (typeof value === 'string') {
    return value.length > limits.maxStringLength ? `has a text${path} of ${value.length} characters; at most ${limits.maxStringLength} are accepted` : null;
  }
  if (Array.isArray(value)) {
    if (value.length > limits.maxListItems) return `has a list${path} of ${value.length} items; at most ${limits.maxListItems} are accepted`;
    for (const item of value) {
      const problem = oversized(item, limits, path);
      if (problem) return problem;
    }
    return null;
  }
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    for (const [key, item] of Object.entries(value)) {
      const problem = oversized(item, limits, `${path ? `${path}.` : ' in '}${key}`);
      if (problem) return problem;
    }
  }
  return null;
}

/** How many times the field's selection may be repeated in the response. */
function listSize(
  walk: Walk,
  parent: GraphQLCompositeType,
  field: GraphQLField<unknown, unknown>,
  node: FieldNode,
  args: Map<string, unknown>,
): number {
  const connection = getNamedType(field.type).name.endsWith('Connection');
  for (const name of ['first', 'last']) {
    const size = args.get(name);
    if (typeof size !== 'number') continue;
    if (connection && size > walk.limits.maxPageSize && !walk.refusal) {
      walk.refusal = new GraphQLError(
        `${parent.name}.${field.name}(${name}: ${size}) asks for more than ${walk.limits.maxPageSize} items; page through with after/before instead`,
        { nodes: [node], extensions: { code: 'PAGE_TOO_LARGE' } },
      );
    }
    return Math.max(size, 1);
  }
  if (connection) return DEFAULT_CONNECTION_SIZE;
  const ids = args.get('ids');
  if (Array.isArray(ids) && isListType(getNullableType(field.type))) return Math.max(ids.length, 1);
  return 1;
}
