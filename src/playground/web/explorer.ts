/**
 * The activation explorer: f, f' and f'' of two activations of the zoo overlaid, and their
 * facts (activations/facts.ts) side by side.
 */
import { activationFacts, secondDerivative } from '../../activations/facts.js';
import { getActivation } from '../../activations/zoo.js';
import { drawChart, type Series } from './plot.js';

export const COLOR_A = '#c2410c';
export const COLOR_B = '#1864ab';

const X_RANGE: [number, number] = [-4, 4];
const POINTS = 401;

function fmt(v: number): string {
  if (v === Infinity) return '∞';
  if (v === -Infinity) return '−∞';
  if (Object.is(v, -0) || Math.abs(v) < 5e-13) return '0';
  return Math.abs(v) >= 1e4 || Math.abs(v) < 1e-3 ? v.toExponential(2) : String(Number(v.toFixed(4)));
}

function interval(lo: number, hi: number): string {
  return `${Number.isFinite(lo) ? '[' : '('}${fmt(lo)}, ${fmt(hi)}${Number.isFinite(hi) ? ']' : ')'}`;
}

/** Redraws the three charts and the fact table for activations `a` and `b`. */
export function drawExplorer(root: HTMLElement, a: string, b: string): void {
  const xs = Float64Array.from({ length: POINTS }, (_, i) => X_RANGE[0] + ((X_RANGE[1] - X_RANGE[0]) * i) / (POINTS - 1));
  const specs = [
    { spec: getActivation(a), color: COLOR_A, dash: undefined },
    { spec: getActivation(b), color: COLOR_B, dash: a === b ? [6, 4] : undefined },
  ];
  const curves: Array<[string, string, (s: (typeof specs)[number]['spec'], x: number) => number]> = [
    ['#chart-f', 'f(x)', (s, x) => s.fn(x)],
    ['#chart-df', "f′(x)", (s, x) => s.derivative(x)],
    // At a kink f'' is a Dirac spike; the difference quotient's huge value there is left out.
    ['#chart-ddf', "f″(x)", (s, x) => {
      const v = secondDerivative(s, x);
      return Math.abs(v) > 50 ? NaN : v;
    }],
  ];
  for (const [selector, title, of] of curves) {
    const series: Series[] = specs.map(({ spec, color, dash }) => ({ label: spec.label, color, dash, xs, ys: Array.from(xs, (x) => of(spec, x)) }));
    drawChart(root.querySelector<HTMLCanvasElement>(selector)!, series, { title, xRange: X_RANGE, zeroLines: true });
  }
  const rows: Array<[string, (f: ReturnType<typeof activationFacts>) => string]> = [
    ['range', (f) => interval(f.range[0], f.range[1])],
    ['monotonic', (f) => (f.monotonic ? 'yes' : 'no')],
    ['f(0)', (f) => fmt(f.valueAtZero)],
    ["f′(0)", (f) => fmt(f.slopeAtZero)],
    ['large negative x', (f) => f.negativeTail],
  ];
  const facts = specs.map(({ spec }) => activationFacts(spec));
  const table = root.querySelector<HTMLTableElement>('#facts')!;
  table.replaceChildren();
  const head = table.createTHead().insertRow();
  for (const [i, text] of ['', specs[0].spec.label, specs[1].spec.label].entries()) {
    const th = document.createElement('th');
    th.textContent = text;
    if (i > 0) th.style.color = specs[i - 1].color;
    head.append(th);
  }
  const body = table.createTBody();
  for (const [name, value] of rows) {
    const row = body.insertRow();
    row.insertCell().textContent = name;
    for (const f of facts) row.insertCell().textContent = value(f);
  }
  const descriptions = root.querySelector<HTMLElement>('#formulas')!;
  descriptions.replaceChildren(
    ...specs.map(({ spec, color }) => {
      const p = document.createElement('p');
      const name = document.createElement('b');
      name.textContent = `${spec.label}: `;
      name.style.color = color;
      p.append(name, spec.description);
      return p;
    }),
  );
}
