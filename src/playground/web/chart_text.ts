/**
 * The text a screen reader gets for a chart drawn on a canvas: the canvas becomes an image
 * named by its title and series, described by a visually hidden table beside it that holds,
 * per series, its points, range and last value.
 */
import type { ChartOptions, Series } from './plot.js';

function fmt(v: number): string {
  if (!Number.isFinite(v)) return '–';
  return Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : String(Number(v.toFixed(4)));
}

function summary(s: Series): string[] {
  let lo = Infinity;
  let hi = -Infinity;
  let count = 0;
  let last = -1;
  for (let i = 0; i < s.ys.length; i++) {
    const y = s.ys[i];
    if (!Number.isFinite(y)) continue;
    count++;
    lo = Math.min(lo, y);
    hi = Math.max(hi, y);
    last = i;
  }
  if (count === 0) return [s.label, '0', '–', '–', '–'];
  return [s.label, String(count), `${fmt(lo)} to ${fmt(hi)}`, fmt(s.xs[last]), fmt(s.ys[last])];
}

/** Names `canvas` and fills (or creates) its hidden data table. */
export function describeChart(canvas: HTMLCanvasElement, series: Series[], options: ChartOptions): void {
  const title = options.title ?? 'chart';
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', `${title}${options.xLabel ? ` against ${options.xLabel}` : ''}: ${series.map((s) => s.label).join(', ') || 'no data yet'}`);
  const id = `${canvas.id}-data`;
  let box = document.getElementById(id);
  if (!box) {
    // Hidden by a box around the table: a table is as wide as its content whatever its own CSS
    // width, and would widen the page.
    box = document.createElement('div');
    box.id = id;
    box.className = 'sr-only';
    box.append(document.createElement('table'));
    canvas.after(box);
    canvas.setAttribute('aria-describedby', id);
  }
  const table = box.querySelector('table')!;
  const x = options.xLabel ?? 'x';
  const rows = [['series', 'points', 'range of values', `last ${x}`, 'last value'], ...series.map(summary)];
  table.replaceChildren();
  table.createCaption().textContent = `${title}: data`;
  rows.forEach((cells, r) => {
    const row = r === 0 ? table.createTHead().insertRow() : (table.tBodies[0] ?? table.createTBody()).insertRow();
    for (const text of cells) {
      const cell = document.createElement(r === 0 ? 'th' : 'td');
      cell.textContent = text;
      row.append(cell);
    }
  });
}
