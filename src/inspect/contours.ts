/**
 * Contour lines of a function sampled on a grid (marching squares), joined into polylines so a
 * chart draws a few paths rather than thousands of segments. Vega-Lite has no contour mark
 * and the report renderer takes Vega-Lite only, hence our own. A cell with a missing corner
 * (NaN, infinite, null) gets no contour: lines stop at the edge of missing data rather than
 * being invented across it.
 */

/** One contour line: a polyline, closed when its first and last points coincide. */
export interface ContourLine {
  level: number;
  points: [number, number][];
}

type Edge = 'bottom' | 'right' | 'top' | 'left';

/** The two edges of a cell that meet at each corner: bottom-left, bottom-right, top-right, top-left. */
const CORNER_EDGES: readonly (readonly [Edge, Edge])[] = [
  ['left', 'bottom'],
  ['bottom', 'right'],
  ['right', 'top'],
  ['top', 'left'],
];

const isMissing = (v: number | null | undefined): boolean => v === null || v === undefined || !Number.isFinite(v);

/**
 * Contours of `values[row][column]`, sampled at `x[column]`, `y[row]`, at every level of
 * `levels`. Saddle cells are resolved by the cell's mean value.
 */
export function contourLines(values: readonly (readonly (number | null)[])[], x: readonly number[], y: readonly number[], levels: readonly number[]): ContourLine[] {
  if (values.length !== y.length || values.some((row) => row.length !== x.length)) {
    throw new RangeError(`contour grid must be ${y.length} rows of ${x.length} values`);
  }
  return levels.flatMap((level) => joinSegments(cellSegments(values, x, y, level)).map((points) => ({ level, points })));
}

/** A segment between two cell edges; endpoints are named by the grid edge they lie on. */
interface Segment {
  keys: [string, string];
  points: [[number, number], [number, number]];
}

function cellSegments(values: readonly (readonly (number | null)[])[], x: readonly number[], y: readonly number[], level: number): Segment[] {
  const segments: Segment[] = [];
  for (let r = 0; r + 1 < y.length; r++) {
    for (let c = 0; c + 1 < x.length; c++) {
      // Corners counter-clockwise from bottom-left (row r is the lower y).
      const v = [values[r]![c], values[r]![c + 1], values[r + 1]![c + 1], values[r + 1]![c]] as number[];
      if (v.some(isMissing)) continue;
      const above = v.map((value) => value >= level);
      if (above.every((a) => a) || above.every((a) => !a)) continue;
      const edge = (e: Edge): { key: string; point: [number, number] } => {
        const [a, b, key] =
          e === 'bottom' ? [0, 1, `h${r},${c}`] : e === 'right' ? [1, 2, `v${r},${c + 1}`] : e === 'top' ? [3, 2, `h${r + 1},${c}`] : [0, 3, `v${r},${c}`];
        const xy = (i: number): [number, number] => [i === 0 || i === 3 ? x[c]! : x[c + 1]!, i < 2 ? y[r]! : y[r + 1]!];
        const t = (level - v[a]!) / (v[b]! - v[a]!);
        const [pa, pb] = [xy(a), xy(b)];
        return { key, point: [pa[0] + t * (pb[0] - pa[0]), pa[1] + t * (pb[1] - pa[1])] };
      };
      const add = (e1: Edge, e2: Edge) => {
        const [a, b] = [edge(e1), edge(e2)];
        segments.push({ keys: [a.key, b.key], points: [a.point, b.point] });
      };
      const crossed = (['bottom', 'right', 'top', 'left'] as const).filter((_, i) => above[i] !== above[(i + 1) % 4]);
      if (crossed.length === 2) add(crossed[0]!, crossed[1]!);
      else {
        // Saddle: the centre decides which pair of opposite corners is connected; the line
        // cuts off each corner on the other side of the level from the centre.
        const centre = (v[0]! + v[1]! + v[2]! + v[3]!) / 4 >= level;
        above.forEach((a, i) => {
          if (a !== centre) add(...CORNER_EDGES[i]!);
        });
      }
    }
  }
  return segments;
}

/** Chains segments sharing an endpoint into polylines: open chains first, then loops. */
function joinSegments(segments: readonly Segment[]): [number, number][][] {
  const byKey = new Map<string, number[]>();
  segments.forEach((s, i) => s.keys.forEach((k) => byKey.set(k, [...(byKey.get(k) ?? []), i])));
  const used = new Uint8Array(segments.length);
  const lines: [number, number][][] = [];
  const walk = (start: number, fromKey: string) => {
    const line: [number, number][] = [];
    let i = start;
    let key = fromKey;
    for (;;) {
      used[i] = 1;
      const s = segments[i]!;
      const enter = s.keys[0] === key ? 0 : 1;
      if (line.length === 0) line.push(s.points[enter]);
      line.push(s.points[1 - enter]!);
      key = s.keys[1 - enter]!;
      const next = (byKey.get(key) ?? []).find((j) => !used[j]);
      if (next === undefined) break;
      i = next;
    }
    lines.push(line);
  };
  // An endpoint shared by no other segment starts an open line (it ends at the grid's or the
  // missing data's border).
  segments.forEach((s, i) => {
    if (used[i]) return;
    const open = s.keys.find((k) => byKey.get(k)!.length === 1);
    if (open !== undefined) walk(i, open);
  });
  segments.forEach((s, i) => {
    if (!used[i]) walk(i, s.keys[0]);
  });
  return lines;
}

/**
 * `count` contour levels between `min` and `max` (exclusive), evenly spaced in log scale when
 * both are positive (loss surfaces are steep far from the minimum; log spacing keeps lines
 * near it), linearly otherwise. Rounded to 3 significant digits for legends.
 */
export function contourLevels(min: number, max: number, count: number): number[] {
  if (!(Number.isFinite(min) && Number.isFinite(max)) || max <= min || count < 1) return [];
  const log = min > 0;
  const [a, b] = log ? [Math.log(min), Math.log(max)] : [min, max];
  const levels = Array.from({ length: count }, (_, i) => {
    const t = a + ((b - a) * (i + 1)) / (count + 1);
    return Number((log ? Math.exp(t) : t).toPrecision(3));
  });
  return [...new Set(levels)];
}
