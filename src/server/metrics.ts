import { type DocumentNode, getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { analytics } from '../analytics/serving';
import { onTaskTimed } from '../analytics/serving/runner';
import type { GraphView } from '../analytics/serving/projection';
import type { AnalyticsTask } from '../analytics/serving/tasks';

/**
 * Operation names come from clients' documents (at most 100 characters each, src/server/protection.ts):
 * past this many distinct ones, the rest count as `other`.
 */
const MAX_OPERATION_NAMES = 200;
/** Documents whose operation is remembered for answers from the response cache; past this, forgotten. */
const MAX_DOCUMENTS_REMEMBERED = 1000;

interface Operation {
  operation: string;
  type: string;
}

/** Prometheus metrics of the process: GraphQL operations, the graph projection and analytics tasks. */
export function createMetrics(): Plugin {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const requests = new Counter({
    name: 'rapport_graphql_requests_total',
    help: 'GraphQL requests by operation name, operation type and HTTP status.',
    labelNames: ['operation', 'type', 'status'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'rapport_graphql_request_duration_seconds',
    help: 'Time from receiving a GraphQL request to its response (to the first event for subscriptions).',
    labelNames: ['operation', 'type'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const taskDuration = new Histogram({
    name: 'rapport_analytics_task_duration_seconds',
    help: 'Time of each whole-graph analytics task on the worker thread, graph hand-over included.',
    labelNames: ['task'],
    buckets: [0.001, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  onTaskTimed((task, seconds) => taskDuration.observe({ task: taskLabel(task) }, seconds));
  projectionGauge(registry, 'rapport_projection_nodes', 'Consumers and providers in the relation graph.', (v) => v.store.order);
  projectionGauge(registry, 'rapport_projection_edges', 'Consumer–provider pairs with relations.', (v) => v.store.size);
  projectionGauge(registry, 'rapport_projection_version', 'Version of the relation graph; grows with every write.', (v) => v.version);

  const started = new WeakMap<Request, number>();
  const operations = new WeakMap<Request, Operation>();
  const knownNames = new Set<string>();
  /** The text of each request's document, and the operation each executed document ran. */
  const documents = new WeakMap<Request, string>();
  const executedOperations = new Map<string, Operation>();
  const boundedName = (name: string) => {
    if (knownNames.has(name) || knownNames.size < MAX_OPERATION_NAMES) {
      knownNames.add(name);
      return name;
    }
    return 'other';
  };

  const plugin: Plugin = {
    async onRequest({ request, url, endResponse }) {
      if (url.pathname === '/metrics') {
        endResponse(new Response(await registry.metrics(), { headers: { 'content-type': registry.contentType } }));
        return;
      }
      started.set(request, performance.now());
    },
    // Labelled `invalid` until the document parses and validates: a name the client merely sent labels nothing.
    onParams({ request, params }) {
      operations.set(request, { operation: 'invalid', type: 'unknown' });
      documents.set(request, `${params.operationName ?? ''}:${params.query ?? ''}`);
    },
    onExecute({ args }) {
      recordOperation(args.contextValue.request, args.document, args.operationName);
    },
    onSubscribe({ args }) {
      recordOperation(args.contextValue.request, args.document, args.operationName);
    },
    onResultProcess({ request, result }) {
      // The response cache answers before the document is parsed: its operation is the one its
      // first execution recorded (a query: only those are cached).
      if (!isCachedAnswer(result)) return;
      const document = documents.get(request);
      const executed = document === undefined ? undefined : executedOperations.get(document);
      operations.set(request, executed ?? { operation: operations.get(request)?.operation ?? 'anonymous', type: 'query' });
    },
    onResponse({ request, response }) {
      const operation = operations.get(request);
      const start = started.get(request);
      if (!operation || start === undefined) return;
      const series = seriesOf(operation, response.status);
      series.requests.inc();
      series.latency.observe((performance.now() - start) / 1000);
    },
  };

  // prom-client checks and joins the labels on every call: each series is looked up once (their
  // number is bounded by MAX_OPERATION_NAMES, the operation types and the statuses).
  const series = new Map<string, { requests: ReturnType<typeof requests.labels>; latency: ReturnType<typeof latency.labels> }>();
  function seriesOf({ operation, type }: Operation, status: number) {
    const key = `${operation}\n${type}\n${status}`;
    let found = series.get(key);
    if (!found) {
      found = { requests: requests.labels(operation, type, String(status)), latency: latency.labels(operation, type) };
      series.set(key, found);
    }
    return found;
  }

  function recordOperation(request: Request, document: DocumentNode, operationName?: string | null) {
    const operation = getOperationAST(document, operationName);
    if (!operation) return;
    const recorded = { operation: boundedName(operation.name?.value ?? 'anonymous'), type: operation.operation };
    operations.set(request, recorded);
    const text = documents.get(request);
    if (text === undefined) return;
    if (executedOperations.size >= MAX_DOCUMENTS_REMEMBERED) executedOperations.clear();
    executedOperations.set(text, recorded);
  }

  return plugin;
}

/** How graphql-yoga's response cache marks an answer it served. */
const SERVED_FROM_CACHE = Symbol.for('servedFromResponseCache');

function isCachedAnswer(result: unknown): boolean {
  return typeof result === 'object' && result !== null && SERVED_FROM_CACHE in result;
}

function taskLabel(task: AnalyticsTask): string {
  return task.type === 'centrality' ? `centrality.${task.options.metric}` : task.type;
}

function projectionGauge(registry: Registry, name: string, help: string, measure: (view: GraphView) => number) {
  new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      const { projection } = analytics();
      if (projection.isLoaded) this.set(measure(projection.view()));
    },
  });
}
