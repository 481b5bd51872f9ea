import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type RankingMetrics, compareWithPopularity } from '../src/analytics/offline/evaluation';
import { nodeKey } from '../src/analytics/graph/adjacency';
import { RelationStore } from '../src/analytics/serving/store';
import type { RelationRecord } from '../src/db/graph-source';
import { DEFAULT_RECOMMENDATION_OPTIONS } from '../src/analytics/graph/recommendations';
import { UsageError, runScript } from './run-script';

/**
 * Offline evaluation of the recommender against the popularity baseline on a train/test split:
 *
 *   npm run eval:recommendations -- --train TRAIN.csv --test TEST.csv --k 20 [--beta 0.5]
 *
 * Both files have the header `consumer,provider,rating,timestamp`: external keys, an optional
 * rating, and an ISO 8601 or epoch-milliseconds timestamp. Malformed rows are reported on stderr
 * and skipped; an unreadable file or a wrong header ends the run with exit code 2.
 */

const HEADER = ['consumer', 'provider', 'rating', 'timestamp'];
const USAGE = 'usage: npm run eval:recommendations -- --train TRAIN.csv --test TEST.csv --k 20 [--beta 0.5]';

interface CsvRow {
  line: number;
  consumer: string;
  provider: string;
  rating: number | null;
  timestamp: number;
}

function main(argv = process.argv.slice(2)): void {
  const { train: trainPath, test: testPath, k, beta } = readArguments(argv);
  const train = readRelations(trainPath);
  const test = readRelations(testPath);
  const dataSet = buildDataSet(train, test);
  const { rapport, popularity } = compareWithPopularity(dataSet.graph, dataSet.heldOut, k, beta);
  console.log(
    `data set: ${train.length} train relations, ${test.length} test relations, ${dataSet.consumers} consumers, ` +
      `${dataSet.providers} providers, ${rapport.evaluatedConsumers} evaluated consumers`,
  );
  const labels = [`rapport (RP3beta, beta=${beta})`, 'popularity'];
  const width = Math.max(...labels.map((label) => label.length));
  console.log(formatMetrics(labels[0].padEnd(width), rapport, k));
  console.log(formatMetrics(labels[1].padEnd(width), popularity, k));
  console.log(`Recall@${k} rapport/popularity: ${formatRatio(rapport.recall, popularity.recall)}`);
}

function readArguments(argv: string[]): { train: string; test: string; k: number; beta: number } {
  const values = parseOptions(argv);
  if (!values.train || !values.test) throw new UsageError(`--train and --test are required\n${USAGE}`);
  const k = Number(values.k);
  if (!Number.isInteger(k) || k <= 0) throw new UsageError(`--k needs a positive whole number, got "${values.k}"`);
  const beta = values.beta === undefined ? DEFAULT_RECOMMENDATION_OPTIONS.beta : Number(values.beta);
  if (!Number.isFinite(beta)) throw new UsageError(`--beta needs a number, got "${values.beta}"`);
  return { train: values.train, test: values.test, k, beta };
}

function parseOptions(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: { train: { type: 'string' }, test: { type: 'string' }, k: { type: 'string', default: '20' }, beta: { type: 'string' } },
    }).values;
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${USAGE}`);
  }
}

/** The file's valid rows; bad ones go to stderr with their line numbers. */
function readRelations(path: string): CsvRow[] {
  const [header, ...records] = parseCsv(readText(path));
  checkHeader(path, header);
  const rows: CsvRow[] = [];
  for (const record of records) {
    const row = 'error' in record ? record : toRow(record);
    if ('error' in row) console.error(`${path}:${row.line}: ${row.error}; skipped`);
    else rows.push(row);
  }
  return rows;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new UsageError(`cannot read ${path}: ${reason}`);
  }
}

function checkHeader(path: string, header: CsvRecord | undefined): void {
  const found = header === undefined ? 'an empty file' : 'error' in header ? `a malformed line (${header.error})` : `"${header.fields.join(',')}"`;
  const matches = header !== undefined && 'fields' in header && header.fields.map((field) => field.trim().toLowerCase()).join(',') === HEADER.join(',');
  if (!matches) throw new UsageError(`${path}: expected the header "${HEADER.join(',')}", found ${found}`);
}

function toRow({ line, fields }: CsvFields): CsvRow | CsvError {
  if (fields.length !== HEADER.length) return { line, error: `expected ${HEADER.length} fields, found ${fields.length}` };
  const [consumer, provider, rating, timestamp] = fields.map((field) => field.trim());
  if (!consumer || !provider) return { line, error: 'empty consumer or provider' };
  const ratingValue = rating === '' ? null : Number(rating);
  if (ratingValue !== null && !Number.isFinite(ratingValue)) return { line, error: `rating "${rating}" is not a number` };
  if (timestamp === '') return { line, error: 'empty timestamp' };
  const timestampValue = /^-?\d+$/.test(timestamp) ? Number(timestamp) : Date.parse(timestamp);
  if (!Number.isFinite(timestampValue)) return { line, error: `timestamp "${timestamp}" is neither ISO 8601 nor epoch milliseconds` };
  return { line, consumer, provider, rating: ratingValue, timestamp: timestampValue };
}

interface DataSet {
  graph: RelationStore;
  heldOut: Map<string, Set<string>>;
  consumers: number;
  providers: number;
}

/** Integer ids for the external keys, shared by both files; only train rows enter the graph. */
function buildDataSet(train: CsvRow[], test: CsvRow[]): DataSet {
  const consumerIds = new Map<string, number>();
  const providerIds = new Map<string, number>();
  const idsOf = (row: CsvRow) => ({ consumerId: idOf(consumerIds, row.consumer), providerId: idOf(providerIds, row.provider) });

  const graph = new RelationStore();
  for (const row of train) graph.relation(relationFacts(row, idsOf(row)));
  graph.compact();
  const heldOut = new Map<string, Set<string>>();
  for (const row of test) {
    const { consumerId, providerId } = idsOf(row);
    const consumer = nodeKey('consumer', consumerId);
    heldOut.set(consumer, (heldOut.get(consumer) ?? new Set()).add(nodeKey('provider', providerId)));
  }
  return { graph, heldOut, consumers: consumerIds.size, providers: providerIds.size };
}

function idOf(ids: Map<string, number>, key: string): number {
  let id = ids.get(key);
  if (id === undefined) ids.set(key, (id = ids.size + 1));
  return id;
}

/** The recommender reads edges only; kind and amounts just have to be valid. */
function relationFacts(row: CsvRow, ids: { consumerId: number; providerId: number }): RelationRecord {
  const occurredAt = row.timestamp;
  return row.rating === null
    ? { ...ids, kind: 'PURCHASE', occurredAt, amountMinor: 0, currency: 'EUR', rating: null }
    : { ...ids, kind: 'REVIEW', occurredAt, amountMinor: null, currency: null, rating: row.rating };
}

function formatMetrics(label: string, metrics: RankingMetrics, k: number): string {
  return `${label}  Recall@${k}=${metrics.recall.toFixed(4)}  NDCG@${k}=${metrics.ndcg.toFixed(4)}  Precision@10=${metrics.precisionAt10.toFixed(4)}`;
}

function formatRatio(numerator: number, denominator: number): string {
  return denominator === 0 ? 'n/a (popularity scored 0)' : `${(numerator / denominator).toFixed(2)}x`;
}

interface CsvFields {
  line: number;
  fields: string[];
}

interface CsvError {
  line: number;
  error: string;
}

export type CsvRecord = CsvFields | CsvError;

/**
 * RFC 4180 records with the line each starts on: quoted fields may hold commas, doubled quotes
 * and line breaks. A malformed record is returned as an error and parsing resumes on the next
 * line, so that one bad row costs only itself. Blank lines are skipped.
 */
export function parseCsv(text: string): CsvRecord[] {
  const scanner = new CsvScanner(text);
  const records: CsvRecord[] = [];
  while (!scanner.done) {
    const record = scanner.record();
    const blank = 'fields' in record && record.fields.length === 1 && record.fields[0].trim() === '';
    if (!blank) records.push(record);
  }
  return records;
}

class CsvSyntaxError extends Error {}

class CsvScanner {
  private position: number;
  private line = 1;

  constructor(private readonly text: string) {
    this.position = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  }

  get done(): boolean {
    return this.position >= this.text.length;
  }

  record(): CsvRecord {
    const line = this.line;
    const fields: string[] = [];
    try {
      for (;;) {
        fields.push(this.text[this.position] === '"' ? this.quoted() : this.unquoted());
        if (this.text[this.position] !== ',') break;
        this.position++;
      }
      if (!this.endOfLine()) throw new CsvSyntaxError('unexpected text after a closing quote');
      return { line, fields };
    } catch (error) {
      if (!(error instanceof CsvSyntaxError)) throw error;
      this.skipLine();
      return { line, error: error.message };
    }
  }

  private unquoted(): string {
    const start = this.position;
    while (!this.done && !',\r\n'.includes(this.text[this.position])) this.position++;
    const field = this.text.slice(start, this.position);
    if (field.includes('"')) throw new CsvSyntaxError('a quote inside an unquoted field');
    return field;
  }

  private quoted(): string {
    let field = '';
    let from = this.position + 1;
    for (;;) {
      const quote = this.text.indexOf('"', from);
      if (quote < 0) throw new CsvSyntaxError('a quoted field is never closed');
      field += this.text.slice(from, quote);
      if (this.text[quote + 1] !== '"') {
        this.line += countLineBreaks(this.text, this.position, quote);
        this.position = quote + 1;
        return field;
      }
      field += '"';
      from = quote + 2;
    }
  }

  /** Consumes a line break (or the end of the text); false when something else follows. */
  private endOfLine(): boolean {
    if (this.done) return true;
    if (this.text.startsWith('\r\n', this.position)) this.position += 2;
    else if (this.text[this.position] === '\n' || this.text[this.position] === '\r') this.position++;
    else return false;
    this.line++;
    return true;
  }

  private skipLine(): void {
    while (!this.done && !this.endOfLine()) this.position++;
  }
}

function countLineBreaks(text: string, from: number, to: number): number {
  let count = 0;
  for (let index = from; index < to; index++) if (text[index] === '\n') count++;
  return count;
}

if (require.main === module) runScript('eval:recommendations', () => main());
