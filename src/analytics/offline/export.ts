import { UndirectedGraph } from 'graphology';
import { write as writeGexf } from 'graphology-gexf';
import { RelationKind } from '../../generated/prisma/enums';
import { computeCentrality } from '../graph/centrality';
import { type RelationGraph, type Side, summarizePair } from '../graph/relation-graph';
import { DEFAULT_ANALYTICS_SETTINGS } from '../serving/service';

const METRIC_COLUMNS = { pagerank: 'PAGERANK', degree: 'DEGREE', betweenness: 'BETWEENNESS' } as const;
const KIND_COLUMNS = Object.values(RelationKind).map((kind) => [kind, kind.toLowerCase()] as const);

type MetricColumn = keyof typeof METRIC_COLUMNS;

/** A node as exported: flat, typed values that GraphML, GEXF and CSV all carry. */
export type ExportedNode = { label: string; side: Side } & Record<MetricColumn, number>;

/** An edge as exported: `weight` is the pair's number of relations (Gephi reads it as the weight), then one count per kind. */
export type ExportedEdge = Record<string, number>;

export type ExportGraph = UndirectedGraph<ExportedNode, ExportedEdge>;

/** The attributes in the order they are written, with their GraphML types. */
const NODE_COLUMNS: [keyof ExportedNode, 'string' | 'double'][] = [
  ['label', 'string'],
  ['side', 'string'],
  ...Object.keys(METRIC_COLUMNS).map((name) => [name as MetricColumn, 'double'] as [MetricColumn, 'double']),
];
const EDGE_COLUMNS: [string, 'int'][] = [['weight', 'int'], ...KIND_COLUMNS.map(([, column]) => [column, 'int'] as [string, 'int'])];

export interface ExportNaming {
  /** The exported id of a node, for example its GraphQL global ID. */
  id(side: Side, id: number): string;
  label(side: Side, id: number): string;
}

/**
 * The relation graph with each node's centrality scores (as the API computes them) and each
 * edge's relation counts, ready to write in any of the export formats.
 */
export function exportGraph(graph: RelationGraph, naming: ExportNaming): ExportGraph {
  const { betweennessExactMaxNodes, betweennessSamples, seed } = DEFAULT_ANALYTICS_SETTINGS;
  const scores = Object.entries(METRIC_COLUMNS).map(([name, metric]) => {
    const options = { metric, weight: 'NONE', betweennessExactMaxNodes, betweennessSamples, seed } as const;
    return [name as MetricColumn, computeCentrality(graph, options).scores] as const;
  });
  const exported: ExportGraph = new UndirectedGraph();
  const ids = new Map<string, string>();
  let index = 0;
  graph.forEachNode((node, { side, id }) => {
    const attributes = { label: naming.label(side, id), side } as ExportedNode;
    for (const [name, values] of scores) attributes[name] = values[index];
    ids.set(node, naming.id(side, id));
    exported.addNode(ids.get(node)!, attributes);
    index++;
  });
  graph.forEachEdge((_edge, attributes, source, target) => {
    const { count, countByKind } = summarizePair(attributes);
    const edge: ExportedEdge = { weight: count };
    for (const [kind, column] of KIND_COLUMNS) edge[column] = countByKind[kind] ?? 0;
    exported.addEdge(ids.get(source)!, ids.get(target)!, edge);
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
