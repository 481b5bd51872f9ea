import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type RankingMetrics, evaluateRecommender, evaluationData, methodRecommender, popularityRecommender } from '../src/analytics/offline/evaluation';
import { generateLatent } from '../src/analytics/offline/latent-data';
import { RealRatingsUnavailableError, loadInstEval } from '../src/analytics/offline/insteval';
import { generatePlanted, type PlantedRow, type PlantedSplit, splitAtRandom, splitByLatest } from '../src/analytics/offline/planted-data';
import { CHOSEN_METHOD, DEFAULT_METHOD_OPTIONS, type MethodOptions, RECOMMENDER_METHODS, type RecommenderMethod } from '../src/analytics/graph/recommender-methods';
import { UsageError, runScript } from './run-script';

/**
 * Offline evaluation of the recommenders against the popularity baseline on a train/test split,
 * one line per recommender, the one the evaluation chose first (marked `chosen`: the
 * API serves it when a question names no method):
 *
 *   npm run eval:recommendations -- --train TRAIN.csv --test TEST.csv [--k 20] [options]
 *   npm run eval:recommendations -- --dataset planted|latent|insteval [--split random|temporal] [--seed S] [--validation] [options]
 *
 * Both files have the header `consumer,provider,rating,timestamp`: external keys, an optional
 * rating, and an ISO 8601 or epoch-milliseconds timestamp. Malformed rows are reported on stderr
 * and skipped; an unreadable file or a wrong header ends the run with exit code 2. A --dataset
 * is generated in memory (planted, latent) or read from R's lme4 package (insteval: real ratings,
 * src/analytics/offline/insteval.ts; exit code 1 with what to install when R cannot give it) and
 * split per consumer: `random` holds out a seeded 20% of each consumer's providers, `temporal`
 * the latest 20%. --validation splits the train part again the same way and evaluates on that,
 * never touching the test part: tune hyperparameters there.
 * --min-rating R keeps only the relations rated R or more, before any split (the positives of
 * explicit ratings, as Liang et al. 2018 and Steck 2019 binarize them); by default every
 * relation counts, rated or not. Options: --methods EASE,ITEM_KNN,... --beta B --lambda L
 * --shrinkage S --neighbours N --alpha A.
 */

const HEADER = ['consumer', 'provider', 'rating', 'timestamp'];
const DATASETS = { planted: () => generatePlanted(), latent: () => generateLatent(), insteval: () => loadInstEval() } as const;
const SPLITS = ['random', 'temporal'] as const;
const USAGE =
  'usage: npm run eval:recommendations -- (--train TRAIN.csv --test TEST.csv | --dataset planted|latent|insteval [--split random|temporal] [--seed S] [--validation])\n' +
  '  [--k 20] [--min-rating R] [--methods EASE,ITEM_KNN,RP3BETA,PERSONALIZED_PAGERANK] [--beta B] [--lambda L] [--shrinkage S] [--neighbours N] [--alpha A]';

interface CsvRow {
  line: number;
  consumer: string;
  provider: string;
  rating: number | null;
  timestamp: number;
}

function main(argv = process.argv.slice(2)): void {
  const settings = readArguments(argv);
  const { description, train, test } = loadSplit(settings);
  const dataSet = evaluationData(train, test);
  const results = settings.methods.map((method) => ({
    label: methodLabel(method, settings.options),
    metrics: evaluateRecommender(dataSet.graph, dataSet.heldOut, settings.k, methodRecommender(dataSet.graph, method, settings.options)),
  }));
  results.push({ label: 'popularity', metrics: evaluateRecommender(dataSet.graph, dataSet.heldOut, settings.k, popularityRecommender(dataSet.graph)) });
  console.log(
    `data set: ${description}${train.length} train relations, ${test.length} test relations, ${dataSet.consumers} consumers, ` +
      `${dataSet.providers} providers, ${results[0].metrics.evaluatedConsumers} evaluated consumers`,
  );
  const width = Math.max(...results.map(({ label }) => label.length));
  for (const { label, metrics } of results) console.log(formatMetrics(label.padEnd(width), metrics, settings.k));
  const [first, popularity] = [results[0], results[results.length - 1]];
  console.log(`Recall@${settings.k} ${first.label}/popularity: ${formatRatio(first.metrics.recall, popularity.metrics.recall)}`);
}

function methodLabel(method: RecommenderMethod, options: MethodOptions): string {
  const mark = method === CHOSEN_METHOD ? ', chosen' : '';
  switch (method) {
    case 'EASE':
      return `EASE (lambda=${options.ease.lambda}${mark})`;
    case 'ITEM_KNN':
      return `item-kNN (shrinkage=${options.itemKnn.shrinkage}, neighbours=${options.itemKnn.neighbours}${mark})`;
    case 'RP3BETA':
      return `RP3beta (beta=${options.rp3beta.beta}${mark})`;
    case 'PERSONALIZED_PAGERANK':
      return `personalized PageRank (alpha=${options.personalizedPagerank.alpha}${mark})`;
  }
}

interface Settings {
  files?: { train: string; test: string };
  dataset?: keyof typeof DATASETS;
  split: (typeof SPLITS)[number];
  seed: string;
  validation: boolean;
  k: number;
  minRating?: number;
  methods: RecommenderMethod[];
  options: MethodOptions;
}

function readArguments(argv: string[]): Settings {
  const values = parseOptions(argv);
  const files = values.train && values.test ? { train: values.train, test: values.test } : undefined;
  if (!files === !values.dataset) throw new UsageError(`give either --train and --test, or --dataset\n${USAGE}`);
  if (values.dataset && !(values.dataset in DATASETS)) throw new UsageError(`--dataset is one of ${Object.keys(DATASETS).join(', ')}, got "${values.dataset}"`);
  if (!SPLITS.includes(values.split as (typeof SPLITS)[number])) throw new UsageError(`--split is one of ${SPLITS.join(', ')}, got "${values.split}"`);
  const k = Number(values.k);
  if (!Number.isInteger(k) || k <= 0 || k > 1000) throw new UsageError(`--k needs a whole number from 1 to 1000, got "${values.k}"`);
  const minRating = values['min-rating'] === undefined ? undefined : Number(values['min-rating']);
  if (minRating !== undefined && !Number.isFinite(minRating)) throw new UsageError(`--min-rating needs a number, got "${values['min-rating']}"`);
  return {
    files,
    dataset: values.dataset as keyof typeof DATASETS | undefined,
    split: values.split as (typeof SPLITS)[number],
    seed: values.seed,
    validation: values.validation,
    k,
    minRating,
    methods: readMethods(values.methods),
    options: readMethodOptions(values),
  };
}

function readMethods(list: string | undefined): RecommenderMethod[] {
  const defaults = [CHOSEN_METHOD, ...RECOMMENDER_METHODS.filter((method) => method !== CHOSEN_METHOD)];
  const methods = list === undefined ? [...new Set(defaults)] : list.split(',').map((method) => method.trim());
  const unknown = methods.find((method) => !RECOMMENDER_METHODS.includes(method as RecommenderMethod));
  if (unknown !== undefined || methods.length === 0) throw new UsageError(`--methods takes some of ${RECOMMENDER_METHODS.join(', ')}, got "${unknown ?? ''}"`);
  return methods as RecommenderMethod[];
}

function readMethodOptions(values: Record<string, string | boolean | undefined>): MethodOptions {
  const number = (name: string, fallback: number, valid: (value: number) => boolean) => {
    if (values[name] === undefined) return fallback;
    const value = Number(values[name]);
    if (!valid(value)) throw new UsageError(`--${name} is out of range: "${values[name]}"`);
    return value;
  };
  const defaults = DEFAULT_METHOD_OPTIONS;
  const nonNegative = (value: number) => Number.isFinite(value) && value >= 0;
  return {
    rp3beta: { beta: number('beta', defaults.rp3beta.beta, Number.isFinite) },
    ease: { lambda: number('lambda', defaults.ease.lambda, (value) => Number.isFinite(value) && value > 0) },
    itemKnn: {
      shrinkage: number('shrinkage', defaults.itemKnn.shrinkage, nonNegative),
      neighbours: number('neighbours', defaults.itemKnn.neighbours, (value) => Number.isInteger(value) && value > 0),
    },
    personalizedPagerank: { ...defaults.personalizedPagerank, alpha: number('alpha', defaults.personalizedPagerank.alpha ?? 0.85, (value) => value > 0 && value < 1) },
  };
}

function parseOptions(argv: string[]) {
  const text = { type: 'string' } as const;
  try {
    return parseArgs({
      args: argv,
      options: {
        train: text,
        test: text,
        dataset: text,
        split: { type: 'string', default: 'random' },
        seed: { type: 'string', default: 'split' },
        validation: { type: 'boolean', default: false },
        k: { type: 'string', default: '20' },
        'min-rating': text,
        methods: text,
        beta: text,
        lambda: text,
        shrinkage: text,
        neighbours: text,
        alpha: text,
      },
    }).values;
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${USAGE}`);
  }
}

function loadSplit(settings: Settings): PlantedSplit & { description: string } {
  const { minRating } = settings;
  const kept = (rows: PlantedRow[]) => (minRating === undefined ? rows : rows.filter(({ rating }) => rating !== null && rating >= minRating));
  const positives = minRating === undefined ? '' : `ratings >= ${minRating} only, `;
  if (settings.files) return { description: positives, train: kept(readRelations(settings.files.train)), test: kept(readRelations(settings.files.test)) };
  const dataset = settings.dataset!;
  const split = (rows: readonly PlantedRow[], seed: string) => (settings.split === 'temporal' ? splitByLatest(rows) : splitAtRandom(rows, seed));
  const outer = split(kept(DATASETS[dataset]()), settings.seed);
  const chosen = settings.validation ? split(outer.train, `${settings.seed}/validation`) : outer;
  const part = settings.validation ? 'validation part of the train part' : 'test part';
  return { description: `${dataset}, ${positives}${settings.split} 80/20 split (seed ${settings.seed}), ${part}; `, ...chosen };
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

function formatMetrics(label: string, metrics: RankingMetrics, k: number): string {
  return (
    `${label}  Recall@${k}=${metrics.recall.toFixed(4)}  NDCG@${k}=${metrics.ndcg.toFixed(4)}  MAP@${k}=${metrics.map.toFixed(4)}  ` +
    `Precision@10=${metrics.precisionAt10.toFixed(4)}  coverage=${metrics.coverage.toFixed(4)}  novelty=${metrics.novelty.toFixed(2)}`
  );
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

if (require.main === module) runScript('eval:recommendations', () => main(), [RealRatingsUnavailableError]);
