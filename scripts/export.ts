import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { type ExportGraph, exportGraph, toCsv, toGexf, toGraphml } from '../src/analytics/offline/export';
import type { Party } from '../src/db/party';
import { GraphProjection } from '../src/analytics/serving/projection';
import { config } from '../src/config';
import { db } from '../src/db/client';
import { driver } from '../src/db/driver';
import { UsageError, runScript } from './run-script';

/**
 * Writes the relation graph of DATABASE_URL, with centrality scores, for Gephi and other tools:
 *
 *   npm run export -- --format graphml|gexf [--out FILE]    (standard output without --out)
 *   npm run export -- --format csv --out PREFIX             (PREFIX.nodes.csv and PREFIX.edges.csv)
 *
 * Nodes are named by their GraphQL global IDs, so that what a tool shows can be asked of the API.
 */

const FORMATS = ['graphml', 'gexf', 'csv'] as const;
type Format = (typeof FORMATS)[number];
const USAGE = 'usage: npm run export -- --format graphml|gexf|csv [--out FILE]   (csv needs --out PREFIX)';

function readArguments(argv: string[]): { format: Format; out: string | undefined } {
  let values;
  try {
    values = parseArgs({ args: argv, options: { format: { type: 'string' }, out: { type: 'string' } } }).values;
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${USAGE}`);
  }
  const format = values.format as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got "${values.format ?? ''}"\n${USAGE}`);
  if (format === 'csv' && !values.out) throw new UsageError(`--format csv writes two files and needs --out PREFIX\n${USAGE}`);
  return { format, out: values.out };
}

async function loadExportGraph(): Promise<ExportGraph> {
  const [consumers, providers] = await Promise.all([
    db().consumer.findMany({ select: { id: true, name: true } }),
    db().provider.findMany({ select: { id: true, name: true } }),
  ]);
  const names = { consumer: new Map(consumers.map((c) => [c.id, c.name])), provider: new Map(providers.map((p) => [p.id, p.name])) };
  const projection = new GraphProjection(config().databaseUrl, db(), driver());
  await projection.load();
  return exportGraph(projection.snapshot(), {
    id: (side: Party, id: number) => encodeGlobalID(side === 'consumer' ? 'Consumer' : 'Provider', id),
    label: (side: Party, id: number) => names[side].get(id) ?? '',
  });
}

function write(graph: ExportGraph, format: Format, out: string | undefined): string[] {
  if (format === 'csv') {
    const { nodes, edges } = toCsv(graph);
    writeFileSync(`${out}.nodes.csv`, nodes);
    writeFileSync(`${out}.edges.csv`, edges);
    return [`${out}.nodes.csv`, `${out}.edges.csv`];
  }
  const text = format === 'gexf' ? toGexf(graph) : toGraphml(graph);
  if (!out) {
    process.stdout.write(text);
    return [];
  }
  writeFileSync(out, text);
  return [out];
}

async function main(argv = process.argv.slice(2)): Promise<void> {
  const { format, out } = readArguments(argv);
  const graph = await loadExportGraph();
  const files = write(graph, format, out);
  if (files.length) console.error(`export: ${graph.order} nodes, ${graph.size} edges written to ${files.join(' and ')}`);
}

runScript('export', () => main());
