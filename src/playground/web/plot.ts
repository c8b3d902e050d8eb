/**
 * Line charts on a canvas, drawn by hand: a handful of series, axes with round ticks, a
 * legend. Small on purpose; the page draws dozens of frames a second with it.
 */
import { describeChart } from './chart_text.js';

export interface Series {
  label: string;
  color: string;
  xs: ArrayLike<number>;
  ys: ArrayLike<number>;
  dash?: number[];
  /** Draw dots at the points as well as the line. */
  dots?: boolean;
}

export interface ChartOptions {
  title?: string;
  xRange?: [number, number];
  yRange?: [number, number];
  xLabel?: string;
  /** Lines at y = 0 and x = 0. */
  zeroLines?: boolean;
}

const PAD = { left: 44, right: 12, top: 26, bottom: 28 };
export const INK = '#1f2430';
const GRID = '#e6e8ee';

function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / magnitude;
  return (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * magnitude;
}

function extent(series: Series[], key: 'xs' | 'ys'): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series) {
    for (let i = 0; i < s[key].length; i++) {
      const v = s[key][i];
      if (Number.isFinite(v)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
  }
  if (!Number.isFinite(lo)) return [0, 1];
  if (lo === hi) return [lo - 0.5, hi + 0.5];
  return [lo, hi];
}

/** Fits the canvas's backing store to its CSS size (sharp on high-DPI screens). */
export function context2d(canvas: HTMLCanvasElement): { ctx: CanvasRenderingContext2D; width: number; height: number } {
  const ratio = globalThis.devicePixelRatio || 1;
  const width = canvas.clientWidth || canvas.width;
  const height = canvas.clientHeight || canvas.height;
  if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
  }
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  return { ctx, width, height };
}

function label(v: number, step: number): string {
  const digits = Math.max(0, -Math.floor(Math.log10(step)));
  return v.toFixed(Math.min(digits, 4));
}

/**
 * Where each legend entry goes: right-aligned in the title row where it fits beside the title,
 * else in rows of its own under it (a phone's narrow chart), `extra` pixels taller.
 */
function layoutLegend(ctx: CanvasRenderingContext2D, series: Series[], width: number, title?: string): { items: Array<{ s: Series; x: number; y: number }>; extra: number } {
  ctx.font = '600 12px system-ui, sans-serif';
  const titleWidth = title ? ctx.measureText(title).width : 0;
  ctx.font = '11px system-ui, sans-serif';
  const sizes = series.map((s) => 20 + ctx.measureText(s.label).width);
  const total = sizes.reduce((a, b) => a + b, 0) + 12 * Math.max(0, series.length - 1);
  if (PAD.left + titleWidth + 16 + total <= width - PAD.right) {
    let at = width - PAD.right - total;
    return { items: series.map((s, i) => ({ s, x: (at += i === 0 ? 0 : sizes[i - 1] + 12), y: 16 })), extra: 0 };
  }
  const items: Array<{ s: Series; x: number; y: number }> = [];
  let x = PAD.left;
  let y = 32;
  series.forEach((s, i) => {
    if (x > PAD.left && x + sizes[i] > width - PAD.right) {
      x = PAD.left;
      y += 15;
    }
    items.push({ s, x, y });
    x += sizes[i] + 12;
  });
  return { items, extra: y - 16 };
}

/** Draws `series` into `canvas`, replacing what was there, and updates its text alternative. */
export function drawChart(canvas: HTMLCanvasElement, series: Series[], options: ChartOptions = {}): void {
  describeChart(canvas, series, options);
  const { ctx, width, height } = context2d(canvas);
  ctx.clearRect(0, 0, width, height);
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  const [x0, x1] = options.xRange ?? extent(series, 'xs');
  let [y0, y1] = options.yRange ?? extent(series, 'ys');
  if (!options.yRange) {
    const margin = (y1 - y0) * 0.06;
    y0 -= margin;
    y1 += margin;
  }
  const legend = layoutLegend(ctx, series, width, options.title);
  const top = PAD.top + legend.extra;
  const w = width - PAD.left - PAD.right;
  const h = height - top - PAD.bottom;
  const px = (x: number) => PAD.left + ((x - x0) / (x1 - x0)) * w;
  const py = (y: number) => top + h - ((y - y0) / (y1 - y0)) * h;

  ctx.font = '11px system-ui, sans-serif';
  ctx.lineWidth = 1;
  const xStep = niceStep(x1 - x0, Math.max(2, Math.floor(w / 70)));
  const yStep = niceStep(y1 - y0, Math.max(2, Math.floor(h / 40)));
  ctx.strokeStyle = GRID;
  ctx.fillStyle = '#6b7280';
  ctx.textAlign = 'center';
  for (let x = Math.ceil(x0 / xStep) * xStep; x <= x1 + 1e-9; x += xStep) {
    ctx.beginPath();
    ctx.moveTo(px(x), top);
    ctx.lineTo(px(x), top + h);
    ctx.stroke();
    ctx.fillText(label(x, xStep), px(x), top + h + 14);
  }
  ctx.textAlign = 'right';
  for (let y = Math.ceil(y0 / yStep) * yStep; y <= y1 + 1e-9; y += yStep) {
    ctx.beginPath();
    ctx.moveTo(PAD.left, py(y));
    ctx.lineTo(PAD.left + w, py(y));
    ctx.stroke();
    ctx.fillText(label(y, yStep), PAD.left - 5, py(y) + 4);
  }
  if (options.zeroLines) {
    ctx.strokeStyle = '#b8bcc8';
    if (y0 < 0 && y1 > 0) {
      ctx.beginPath();
      ctx.moveTo(PAD.left, py(0));
      ctx.lineTo(PAD.left + w, py(0));
      ctx.stroke();
    }
    if (x0 < 0 && x1 > 0) {
      ctx.beginPath();
      ctx.moveTo(px(0), top);
      ctx.lineTo(px(0), top + h);
      ctx.stroke();
    }
  }
  if (options.xLabel) {
    ctx.textAlign = 'right';
    ctx.fillText(options.xLabel, PAD.left + w, height - 2);
  }

  ctx.save();
  ctx.beginPath();
  ctx.rect(PAD.left, top, w, h);
  ctx.clip();
  for (const s of series) {
    ctx.strokeStyle = s.color;
    ctx.fillStyle = s.color;
    ctx.lineWidth = 2.2;
    ctx.setLineDash(s.dash ?? []);
    ctx.beginPath();
    let pen = false;
    for (let i = 0; i < s.xs.length; i++) {
      const y = s.ys[i];
      if (!Number.isFinite(y)) {
        pen = false;
        continue;
      }
      const X = px(s.xs[i]);
      const Y = py(Math.max(y0 - (y1 - y0), Math.min(y1 + (y1 - y0), y)));
      if (pen) ctx.lineTo(X, Y);
      else ctx.moveTo(X, Y);
      pen = true;
    }
    ctx.stroke();
    if (s.dots) {
      for (let i = 0; i < s.xs.length; i++) {
        if (!Number.isFinite(s.ys[i])) continue;
        ctx.beginPath();
        ctx.arc(px(s.xs[i]), py(s.ys[i]), 3, 0, 2 * Math.PI);
        ctx.fill();
      }
    }
  }
  ctx.restore();
  ctx.setLineDash([]);

  ctx.textAlign = 'left';
  ctx.font = '600 12px system-ui, sans-serif';
  ctx.fillStyle = INK;
  if (options.title) ctx.fillText(options.title, PAD.left, 16);
  ctx.font = '11px system-ui, sans-serif';
  for (const item of legend.items) {
    ctx.fillStyle = INK;
    ctx.fillText(item.s.label, item.x + 20, item.y);
    ctx.strokeStyle = item.s.color;
    ctx.lineWidth = 2.2;
    ctx.setLineDash(item.s.dash ?? []);
    ctx.beginPath();
    ctx.moveTo(item.x, item.y - 4);
    ctx.lineTo(item.x + 15, item.y - 4);
    ctx.stroke();
    ctx.setLineDash([]);
  }
}
