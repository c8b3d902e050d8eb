import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../src/register.js';
import { activationFacts, secondDerivative } from '../../src/activations/facts.js';
import { activations, getActivation } from '../../src/activations/zoo.js';

test('LiSHT: range [0, inf), not monotonic, 0 and slope 0 at 0, grows like |x| on the left with slope -1', () => {
  const f = activationFacts(getActivation('lisht'));
  assert.deepEqual(f.range, [0, Infinity]);
  assert.equal(f.monotonic, false);
  assert.equal(f.valueAtZero, 0);
  assert.equal(f.slopeAtZero, 0);
  assert.ok(Math.abs(f.farNegative.value - 30) < 1e-9);
  assert.ok(Math.abs(f.farNegative.slope + 1) < 1e-9);
  assert.match(f.negativeTail, /gradient -1\.000/);
  // (x tanh x)'' = 2 sech^2 x (1 - x tanh x); 2 at 0.
  assert.ok(Math.abs(secondDerivative(getActivation('lisht'), 0) - 2) < 1e-6);
  const x = 0.7;
  const s2 = 1 / Math.cosh(x) ** 2;
  assert.ok(Math.abs(secondDerivative(getActivation('lisht'), x) - 2 * s2 * (1 - x * Math.tanh(x))) < 1e-6);
});

test('the other shapes: relu dies on the left, sigmoid and tanh saturate, swish dips below 0, linear is unbounded', () => {
  const relu = activationFacts(getActivation('relu'));
  assert.deepEqual(relu.range, [0, Infinity]);
  assert.equal(relu.monotonic, true);
  assert.match(relu.negativeTail, /goes to 0; gradient vanishes/);
  const sigmoid = activationFacts(getActivation('sigmoid'));
  assert.deepEqual(sigmoid.range.map((v) => Math.round(v * 1e6) / 1e6), [0, 1]);
  assert.equal(sigmoid.valueAtZero, 0.5);
  assert.ok(Math.abs(sigmoid.slopeAtZero - 0.25) < 1e-12);
  const tanh = activationFacts(getActivation('tanh'));
  assert.match(tanh.negativeTail, /saturates at -1\.0000; gradient vanishes/);
  const swish = activationFacts(getActivation('swish'));
  assert.equal(swish.monotonic, false);
  assert.ok(Math.abs(swish.range[0] + 0.278464542761074) < 1e-4, String(swish.range[0]));
  assert.deepEqual(activationFacts(getActivation('linear')).range, [-Infinity, Infinity]);
  const elu = activationFacts(getActivation('elu'));
  assert.ok(Math.abs(elu.range[0] + 1) < 1e-9);
});

test('every activation of the zoo has finite facts at 0', () => {
  for (const spec of activations) {
    const f = activationFacts(spec);
    assert.ok(Number.isFinite(f.valueAtZero) && Number.isFinite(f.slopeAtZero), spec.name);
    assert.ok(f.range[0] <= f.valueAtZero && f.valueAtZero <= f.range[1], spec.name);
  }
});
