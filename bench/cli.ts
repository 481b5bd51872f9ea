/** The little the benchmark scripts share: reading `--relations N` and printing aligned tables. */

export function relationsArgument(argv: string[], fallback: number): number {
  const position = argv.indexOf('--relations');
  if (position < 0) return fallback;
  const value = Number(argv[position + 1]);
  if (!Number.isInteger(value) || value <= 0) throw new Error('--relations needs a positive whole number');
  return value;
}

export function formatTable(rows: string[][]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) => row.map((cell, column) => cell.padStart(widths[column])).join('  ')).join('\n');
}
