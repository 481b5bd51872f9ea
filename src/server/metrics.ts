import { type DocumentNode, getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { analytics } from '../analytics';
import { onTaskTimed } from '../analytics/runner';
import type { GraphView } from '../analytics/projection';
import type { AnalyticsTask } from '../analytics/tasks';

/**
 * Operation names come from clients' documents (at most 100 characters each, src/server/protection.ts):
 * past this many distinct ones, the rest count as `other`.
 */
const MAX_OPERATION_NAMES = 200;

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
  projectionGauge(registry, 'rapport_projection_nodes', 'Consumers and providers in the relation graph.', (v) => v.graph.order);
  projectionGauge(registry, 'rapport_projection_edges', 'Consumer–provider pairs with relations.', (v) => v.graph.size);
  projectionGauge(registry, 'rapport_projection_version', 'Version of the relation graph; grows with every write.', (v) => v.version);

  const started = new WeakMap<Request, number>();
  const operations = new WeakMap<Request, Operation>();
  const knownNames = new Set<string>();
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
    onParams({ request }) {
      operations.set(request, { operation: 'invalid', type: 'unknown' });
    },
    onExecute({ args }) {
      recordOperation(args.contextValue.request, args.document, args.operationName);
    },
    onSubscribe({ args }) {
      recordOperation(args.contextValue.request, args.document, args.operationName);
    },
    onResponse({ request, response }) {
      const operation = operations.get(request);
      const start = started.get(request);
      if (!operation || start === undefined) return;
      requests.inc({ ...operation, status: String(response.status) });
      latency.observe(operation, (performance.now() - start) / 1000);
    },
  };

  function recordOperation(request: Request, document: DocumentNode, operationName?: string | null) {
    const operation = getOperationAST(document, operationName);
    if (!operation) return;
    operations.set(request, { operation: boundedName(operation.name?.value ?? 'anonymous'), type: operation.operation });
  }

  return plugin;
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
