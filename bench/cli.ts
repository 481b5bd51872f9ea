/** The little the benchmark scripts share: reading `--relations N` and `--duration S`, printing aligned tables. */

export function relationsArgument(argv: string[], fallback: number): number {
  const position = argv.indexOf('--relations');
  if (position < 0) return fallback;
  const value = Number(argv[position + 1]);
  if (!Number.isInteger(value) || value <= 0) throw new Error('--relations needs a positive whole number');
  return value;
}

/** Seconds that a timed load round lasts: `--duration S`. */
export function durationArgument(argv: string[], fallback: number): number {
  const position = argv.indexOf('--duration');
  if (position < 0) return fallback;
  const value = Number(argv[position + 1]);
  if (!(value > 0)) throw new Error('--duration needs a positive number of seconds');
  return value;
}

export function formatTable(rows: string[][]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) => row.map((cell, column) => cell.padStart(widths[column])).join('  ')).join('\n');
}
