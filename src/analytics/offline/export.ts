import { UndirectedGraph } from 'graphology';
import { write as writeGexf } from 'graphology-gexf';
import type { Party } from '../../db/party';
import { ALL_KINDS_MASK, type GraphSnapshot, KINDS, edgeEnds, partyAt } from '../graph/snapshot';
import { DEFAULT_ANALYTICS_SETTINGS } from '../serving/service';
import { runTask } from '../serving/tasks';

const METRIC_COLUMNS = { pagerank: 'PAGERANK', degree: 'DEGREE', betweenness: 'BETWEENNESS' } as const;
const KIND_COLUMNS = KINDS.map((kind) => kind.toLowerCase());

type MetricColumn = keyof typeof METRIC_COLUMNS;

/** A node as exported: flat, typed values that GraphML, GEXF and CSV all carry. */
export type ExportedNode = { label: string; side: Party } & Record<MetricColumn, number>;

/** An edge as exported: `weight` is the pair's number of relations (Gephi reads it as the weight), then one count per kind. */
export type ExportedEdge = Record<string, number>;

export type ExportGraph = UndirectedGraph<ExportedNode, ExportedEdge>;

/** The attributes in the order they are written, with their GraphML types. */
const NODE_COLUMNS: [keyof ExportedNode, 'string' | 'double'][] = [
  ['label', 'string'],
  ['side', 'string'],
  ...Object.keys(METRIC_COLUMNS).map((name) => [name as MetricColumn, 'double'] as [MetricColumn, 'double']),
];
const EDGE_COLUMNS: [string, 'int'][] = [['weight', 'int'], ...KIND_COLUMNS.map((column) => [column, 'int'] as [string, 'int'])];

export interface ExportNaming {
  /** The exported id of a node, for example its GraphQL global ID. */
  id(side: Party, id: number): string;
  label(side: Party, id: number): string;
}

/**
 * The relation graph of a snapshot with each node's centrality scores (as the API computes them)
 * and each edge's relation counts, as a graphology graph ready to write in any export format.
 */
export function exportGraph(snapshot: GraphSnapshot, naming: ExportNaming): ExportGraph {
  const { betweennessExactMaxNodes, closenessExactMaxNodes, samples, seed } = DEFAULT_ANALYTICS_SETTINGS;
  const scores = Object.entries(METRIC_COLUMNS).map(([name, metric]) => {
    const options = { metric, weight: 'NONE', betweennessExactMaxNodes, closenessExactMaxNodes, samples, seed } as const;
    return [name as MetricColumn, runTask(snapshot, { type: 'centrality', options, kinds: ALL_KINDS_MASK }).scores] as const;
  });
  const exported: ExportGraph = new UndirectedGraph();
  const ids = Array.from(snapshot.ids, (_id, node) => {
    const { party, id } = partyAt(snapshot, node);
    const attributes = { label: naming.label(party, id), side: party } as ExportedNode;
    for (const [name, values] of scores) attributes[name] = values[node];
    exported.addNode(naming.id(party, id), attributes);
    return naming.id(party, id);
  });
  const { sources, targets } = edgeEnds(snapshot.csr);
  sources.forEach((source, edge) => {
    const counts = snapshot.kindCounts.subarray(edge * KINDS.length, (edge + 1) * KINDS.length);
    const attributes: ExportedEdge = { weight: counts.reduce((sum, count) => sum + count, 0) };
    KIND_COLUMNS.forEach((column, kind) => (attributes[column] = counts[kind]));
    exported.addEdge(ids[source], ids[targets[edge]], attributes);
  });
  return exported;
}

export function toGexf(graph: ExportGraph): string {
  return writeGexf(graph, { version: '1.3' });
}

/** GraphML (graphology-graphml only parses it), with typed keys so that tools read numbers as numbers. */
export function toGraphml(graph: ExportGraph): string {
  const keys = [
    ...NODE_COLUMNS.map(([name, type]) => `<key id="n.${name}" for="node" attr.name="${name}" attr.type="${type}"/>`),
    ...EDGE_COLUMNS.map(([name, type]) => `<key id="e.${name}" for="edge" attr.name="${name}" attr.type="${type}"/>`),
  ];
  const data = (prefix: string, columns: [string, string][], attributes: Record<string, string | number>) =>
    columns.map(([name]) => `<data key="${prefix}.${name}">${xml(String(attributes[name]))}</data>`).join('');
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
    ...keys,
    '<graph id="rapport" edgedefault="undirected">',
    ...graph.mapNodes((node, attributes) => `<node id="${xml(node)}">${data('n', NODE_COLUMNS, attributes)}</node>`),
    ...graph.mapEdges(
      (edge, attributes, source, target) =>
        `<edge id="${xml(edge)}" source="${xml(source)}" target="${xml(target)}">${data('e', EDGE_COLUMNS, attributes)}</edge>`,
    ),
    '</graph>',
    '</graphml>',
  ];
  return `${lines.join('\n')}\n`;
}

/** Two tables with the column names of Gephi's spreadsheet import: nodes (Id, Label, ...) and edges (Source, Target, Type, ...). */
export function toCsv(graph: ExportGraph): { nodes: string; edges: string } {
  const nodeColumns = NODE_COLUMNS.map(([name]) => name).filter((name) => name !== 'label');
  const edgeColumns = EDGE_COLUMNS.map(([name]) => name);
  const nodes = [
    ['Id', 'Label', ...nodeColumns],
    ...graph.mapNodes((node, attributes) => [node, attributes.label, ...nodeColumns.map((name) => attributes[name])]),
  ];
  const edges = [
    ['Source', 'Target', 'Type', ...edgeColumns.map(capitalize)],
    ...graph.mapEdges((_edge, attributes, source, target) => [source, target, 'Undirected', ...edgeColumns.map((name) => attributes[name])]),
  ];
  return { nodes: csv(nodes), edges: csv(edges) };
}

function xml(text: string): string {
  return text.replace(/[<>&"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

function csv(rows: (string | number)[][]): string {
  const cell = (value: string | number) => {
    const text = String(value);
    return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return `${rows.map((row) => row.map(cell).join(',')).join('\n')}\n`;
}

function capitalize(name: string): string {
  return name[0].toUpperCase() + name.slice(1);
}
