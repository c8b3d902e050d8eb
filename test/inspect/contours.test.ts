import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../src/register.js';
import { contourLevels, contourLines } from '../../src/inspect/contours.js';
import { linspace } from '../../src/inspect/landscape.js';

const xs = linspace(-2, 2, 41);
const bowl = xs.map((y) => xs.map((x) => x * x + y * y));

test('the contour of a bowl at level r^2 is one closed circle of radius r', () => {
  const lines = contourLines(bowl, xs, xs, [1]);
  assert.equal(lines.length, 1);
  const { points, level } = lines[0]!;
  assert.equal(level, 1);
  assert.deepEqual(points[0], points[points.length - 1], 'closed');
  assert.ok(points.length > 30, `${points.length} points`);
  for (const [x, y] of points) assert.ok(Math.abs(Math.hypot(x, y) - 1) < 0.01, `(${x}, ${y}) is off the unit circle`);
});

test('a level outside the data gives no line; levels crossing the border give open lines', () => {
  assert.deepEqual(contourLines(bowl, xs, xs, [100]), []);
  // x^2 + y^2 = 6 leaves the [-2, 2] square: four open arcs, one per corner.
  const arcs = contourLines(bowl, xs, xs, [6]);
  assert.equal(arcs.length, 4);
  for (const { points } of arcs) assert.notDeepEqual(points[0], points[points.length - 1]);
});

test('missing values (NaN, null, Infinity) stop lines instead of crashing or inventing them', () => {
  const holed = bowl.map((row, r) => row.map((v, c) => (r === 20 && c > 20 ? NaN : r === 10 && c === 10 ? null : c === 0 && r === 5 ? Infinity : v)));
  const lines = contourLines(holed, xs, xs, [1, 2]);
  assert.ok(lines.length >= 2);
  for (const { points } of lines) for (const p of points) assert.ok(p.every(Number.isFinite));
  // The NaN row cuts the right half of both circles: no point of any line lies in a missing cell.
  for (const { points } of lines) for (const [x, y] of points) assert.ok(!(x > 0 + 1e-9 && Math.abs(y) < 0.1 - 1e-9), `(${x}, ${y}) is inside the hole`);
  const all = contourLines(xs.map(() => xs.map(() => NaN)), xs, xs, [1]);
  assert.deepEqual(all, []);
});

test('a saddle cell is split consistently and every segment is used once', () => {
  const saddle = [
    [1, 0],
    [0, 1],
  ];
  const lines = contourLines(saddle, [0, 1], [0, 1], [0.5]);
  assert.equal(lines.length, 2);
  assert.ok(lines.every((l) => l.points.length === 2));
});

test('contour levels: log-spaced between positive ends, linear otherwise, none for a flat range', () => {
  const levels = contourLevels(0.1, 10, 3);
  assert.deepEqual(levels, [0.316, 1, 3.16]);
  assert.deepEqual(contourLevels(-1, 1, 1), [0]);
  assert.deepEqual(contourLevels(1, 1, 5), []);
  assert.deepEqual(contourLevels(NaN, 1, 5), []);
});
