/**
 * The facts about an activation that matter for training, computed from its float64 formula
 * and derivative in the zoo (nothing typed in by hand): range, monotonicity, value and slope
 * at 0, the second derivative, and what happens for large negative inputs.
 */
import type { ActivationSpec } from './zoo.js';

/** Step of the central difference that gives f'' from f'. */
const H = 1e-4;
/** Inputs beyond this count as "large" when looking at the tails. */
const FAR = 30;

/** f''(x) by a central difference of the exact derivative. */
export function secondDerivative(spec: Pick<ActivationSpec, 'derivative'>, x: number): number {
  return (spec.derivative(x + H) - spec.derivative(x - H)) / (2 * H);
}

/** What one activation does, for the playground's fact sheet. */
export interface ActivationFacts {
  /** Infimum and supremum over the real line (±Infinity when unbounded). */
  range: [number, number];
  /** f' >= 0 everywhere (checked on a fine grid of [-30, 30]). */
  monotonic: boolean;
  valueAtZero: number;
  slopeAtZero: number;
  /** f(-30) and f'(-30). */
  farNegative: { value: number; slope: number };
  /** One line: where f goes for large negative inputs and whether a gradient still flows. */
  negativeTail: string;
}

/** Grid of [-FAR, FAR], finer near 0 where the shapes differ. */
function grid(): number[] {
  const xs: number[] = [];
  for (let i = -3000; i <= 3000; i++) xs.push((FAR * i) / 3000);
  return xs;
}

function tail(value: number, slope: number, valueFar: number): string {
  const flows = Math.abs(slope) > 1e-3 ? `gradient ${slope.toFixed(3)}` : 'gradient vanishes';
  if (valueFar > 1e3) return `grows without bound (f(-30) = ${value.toFixed(3)}); ${flows}`;
  if (valueFar < -1e3) return `falls without bound (f(-30) = ${value.toFixed(3)}); ${flows}`;
  if (Math.abs(value) < 1e-6) return `goes to 0; ${flows}`;
  return `saturates at ${value.toFixed(4)}; ${flows}`;
}

/** The facts of one activation of the zoo. */
export function activationFacts(spec: Pick<ActivationSpec, 'fn' | 'derivative'>): ActivationFacts {
  const xs = grid();
  let lo = Infinity;
  let hi = -Infinity;
  let monotonic = true;
  for (const x of xs) {
    const y = spec.fn(x);
    lo = Math.min(lo, y);
    hi = Math.max(hi, y);
    if (spec.derivative(x) < -1e-12) monotonic = false;
  }
  // Unbounded where f keeps moving far out; else the tail value is the bound it approaches.
  const farLeft = spec.fn(-1e6);
  const farRight = spec.fn(1e6);
  const range: [number, number] = [
    Math.min(lo, farLeft, farRight) < -1e3 ? -Infinity : Math.min(lo, farLeft, farRight),
    Math.max(hi, farLeft, farRight) > 1e3 ? Infinity : Math.max(hi, farLeft, farRight),
  ];
  const value = spec.fn(-FAR);
  const slope = spec.derivative(-FAR);
  return {
    range,
    monotonic,
    valueAtZero: spec.fn(0),
    slopeAtZero: spec.derivative(0),
    farNegative: { value, slope },
    negativeTail: tail(value, slope, farLeft),
  };
}
