/**
 * A provider's weekly history as two small SVG charts drawn by hand (rank, relations), with a
 * table holding the same points for screen readers and for reading exact values. No charting
 * library: two polylines do not need one, and the page's Content-Security-Policy forbids inline
 * styles that most libraries write.
 */

export interface HistoryPoint {
  window: { from: string; to: string };
  rank: number;
  relationCount: number;
}

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 300;
const HEIGHT = 70;
const PAD = { left: 28, right: 8, top: 8, bottom: 8 };

/** The Monday a weekly point starts on, as 2026-09-07. */
export const weekOf = (point: HistoryPoint): string => point.window.from.slice(0, 10);

function svgElement<K extends keyof SVGElementTagNameMap>(name: K, attributes: Record<string, string | number>): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, name);
  for (const [attribute, value] of Object.entries(attributes)) element.setAttribute(attribute, String(value));
  return element;
}

interface Series {
  name: string;
  values: number[];
  /** Rank 1 is best, so the rank chart puts low values at the top. */
  lowAtTop: boolean;
  describe: (value: number) => string;
}

/** One series as a line with a marked point per week; each point names its week and value in a <title>. */
function lineChart(points: HistoryPoint[], series: Series): SVGSVGElement {
  const low = Math.min(...series.values, series.lowAtTop ? 1 : 0);
  const high = Math.max(...series.values, low + 1);
  const x = (index: number) => PAD.left + (points.length === 1 ? 0.5 : index / (points.length - 1)) * (WIDTH - PAD.left - PAD.right);
  const share = (value: number) => (value - low) / (high - low);
  const y = (value: number) => PAD.top + (series.lowAtTop ? share(value) : 1 - share(value)) * (HEIGHT - PAD.top - PAD.bottom);
  const id = `chart-${series.name.replace(/\W/g, '-').toLowerCase()}`;
  const chart = svgElement('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: 'history-chart', role: 'img', 'aria-labelledby': `${id}-title`, 'data-series': series.name });
  const title = svgElement('title', { id: `${id}-title` });
  title.textContent = `${series.name} per week, ${weekOf(points[0])} to ${weekOf(points.at(-1)!)}: from ${series.describe(series.values[0])} to ${series.describe(series.values.at(-1)!)}`;
  chart.append(title);
  for (const value of [series.lowAtTop ? low : high, series.lowAtTop ? high : low]) {
    const label = svgElement('text', { x: PAD.left - 4, y: y(value) + 3, class: 'axis', 'text-anchor': 'end' });
    label.textContent = String(value);
    chart.append(label);
  }
  chart.append(svgElement('polyline', { points: series.values.map((value, index) => `${x(index)},${y(value)}`).join(' '), class: 'line' }));
  series.values.forEach((value, index) => {
    const dot = svgElement('circle', { cx: x(index), cy: y(value), r: 2.5, class: 'point', 'data-week': weekOf(points[index]), 'data-value': value });
    const tip = svgElement('title', {});
    tip.textContent = `Week of ${weekOf(points[index])}: ${series.describe(value)}`;
    dot.append(tip);
    chart.append(dot);
  });
  return chart;
}

/** The same points as a table: the charts' text alternative. */
function historyTable(points: HistoryPoint[]): HTMLTableElement {
  const table = document.createElement('table');
  table.className = 'history-table';
  const caption = table.createCaption();
  caption.textContent = 'Rank and relations per week';
  const head = table.createTHead().insertRow();
  for (const name of ['Week of', 'Rank', 'Relations']) {
    const cell = document.createElement('th');
    cell.scope = 'col';
    cell.textContent = name;
    head.append(cell);
  }
  const body = table.createTBody();
  for (const point of points) {
    const row = body.insertRow();
    const week = document.createElement('th');
    week.scope = 'row';
    week.textContent = weekOf(point);
    row.append(week);
    row.insertCell().textContent = String(point.rank);
    row.insertCell().textContent = String(point.relationCount);
  }
  return table;
}

/** The charts and, folded, their table; a sentence when there is no point to draw. */
export function historyFigure(points: HistoryPoint[]): HTMLElement {
  const figure = document.createElement('figure');
  figure.className = 'history';
  if (points.length === 0) {
    figure.textContent = 'No relations in these weeks.';
    return figure;
  }
  const ranks: Series = { name: 'Rank', values: points.map((p) => p.rank), lowAtTop: true, describe: (rank) => `rank ${rank}` };
  const relations: Series = { name: 'Relations', values: points.map((p) => p.relationCount), lowAtTop: false, describe: (count) => `${count} relations` };
  const details = document.createElement('details');
  const summary = document.createElement('summary');
  summary.textContent = 'The same as a table';
  details.append(summary, historyTable(points));
  const label = (text: string) => Object.assign(document.createElement('p'), { className: 'chart-label', textContent: text });
  figure.append(label('Rank among providers (1 is first)'), lineChart(points, ranks), label('Relations'), lineChart(points, relations), details);
  return figure;
}
