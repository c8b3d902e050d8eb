/**
 * The SIMD loops, written against `assembler.ts`. All pointers are byte addresses into the wasm
 * backend's heap; channel counts are multiples of 4 (one v128 = 4 float32 channels). Besides the
 * training kernels' loops, LiSHT forward and backward.
 */
import { assemble, Code, I32, V128, type Func } from './assembler.js';

/**
 * `maxPoolBackpropRow(origin, dy, delta, taps, ntaps, cBytes, wstride, count, store)`: for
 * `count` windows starting at x address `origin` (then `origin + wstride`, …), each with
 * `ntaps` taps at the byte offsets listed at `taps`, finds per channel the first tap holding
 * the strict maximum (NaN and -Infinity never win) and routes the window's `dy` to `dx` there
 * (`dx = x + delta`). With `store == 0` it adds dy to dx at the winning tap; otherwise it writes
 * every tap (dy at the winner, 0 elsewhere), which is right only when windows do not overlap.
 * `dy` advances `cBytes` per window. Requires `count >= 1`, `ntaps >= 1`, `cBytes % 16 == 0`.
 */
function maxPoolBackpropRow(): Func {
  const [origin, dy, delta, taps, ntaps, cBytes, wstride, count, store] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const c = new Code(9);
  const w = c.local(I32);
  const cb = c.local(I32);
  const t = c.local(I32);
  const off = c.local(I32);
  const a = c.local(I32);
  const best = c.local(V128);
  const at = c.local(V128);
  const v = c.local(V128);
  const m = c.local(V128);
  const g = c.local(V128);
  const lanes = () => c.i32x4Splat().v128I32(0, 4, 8, 12).i32x4Add();
  const tapAddress = () => c.get(taps).get(t).i32(4).mul().add().load32().get(origin).add().get(cb).add().set(off);
  c.loop(() => {
    c.i32(0).set(cb);
    c.loop(() => {
      c.v128F32(-Infinity, -Infinity, -Infinity, -Infinity).set(best);
      c.v128I32(0, 0, 0, 0).set(at); // 0 = no tap won (no tensor lives at address 0)
      c.i32(0).set(t);
      c.loop(() => {
        tapAddress();
        c.get(off).v128Load().set(v);
        c.get(v).get(best).f32x4Gt().set(m);
        c.get(v).get(best).get(m).bitselect().set(best);
        c.get(off);
        lanes();
        c.get(at).get(m).bitselect().set(at);
        c.get(t).i32(1).add().tee(t).get(ntaps).ltU().brIf(0);
      });
      c.get(dy).get(cb).add().v128Load().set(g);
      c.get(store).if(() => {
        c.i32(0).set(t);
        c.loop(() => {
          tapAddress();
          c.get(off).get(delta).add();
          c.get(off);
          lanes();
          c.get(at).i32x4Eq().get(g).v128And();
          c.v128Store();
          c.get(t).i32(1).add().tee(t).get(ntaps).ltU().brIf(0);
        });
      });
      c.get(store).eqz().if(() => {
        for (let lane = 0; lane < 4; lane++) {
          c.get(at).i32x4ExtractLane(lane).tee(a).if(() => {
            c.get(a).get(delta).add();
            c.get(a).get(delta).add().loadF32();
            c.get(g).f32x4ExtractLane(lane).addF32();
            c.storeF32();
          });
        }
      });
      c.get(cb).i32(16).add().tee(cb).get(cBytes).ltU().brIf(0);
    });
    c.get(origin).get(wstride).add().set(origin);
    c.get(dy).get(cBytes).add().set(dy);
    c.get(w).i32(1).add().tee(w).get(count).ltU().brIf(0);
  });
  return { name: 'maxPoolBackpropRow', params: 9, code: c };
}

/**
 * `columnSums(x, acc, rows, cBytes)`: `acc[c] += x[r][c]` over `rows` rows of `cBytes` bytes.
 * Requires `rows >= 1`, `cBytes % 16 == 0`.
 */
function columnSums(): Func {
  const [x, acc, rows, cBytes] = [0, 1, 2, 3];
  const c = new Code(4);
  const r = c.local(I32);
  const cb = c.local(I32);
  const p = c.local(I32);
  c.loop(() => {
    c.i32(0).set(cb);
    c.loop(() => {
      c.get(acc).get(cb).add().tee(p);
      c.get(p).v128Load().get(x).get(cb).add().v128Load().f32x4Add();
      c.v128Store();
      c.get(cb).i32(16).add().tee(cb).get(cBytes).ltU().brIf(0);
    });
    c.get(x).get(cBytes).add().set(x);
    c.get(r).i32(1).add().tee(r).get(rows).ltU().brIf(0);
  });
  return { name: 'columnSums', params: 4, code: c };
}

/**
 * `copyRuns(dst, src, outer, runs, len, srcStride, dstStride, srcOuter, dstOuter)`: for each of
 * `outer` blocks (`src`/`dst` advancing by `srcOuter`/`dstOuter` bytes), copies `runs` runs of
 * `len` floats, run `i` from `src + i*srcStride` to `dst + i*dstStride`. Four floats per step,
 * then one at a time. Requires `outer >= 1`, `runs >= 1`.
 */
function copyRuns(): Func {
  const [dst, src, outer, runs, len, srcStride, dstStride, srcOuter, dstOuter] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const c = new Code(9);
  const o = c.local(I32);
  const i = c.local(I32);
  const j = c.local(I32);
  const s = c.local(I32);
  const d = c.local(I32);
  const vecEnd = c.local(I32);
  const end = c.local(I32);
  c.get(len).i32(-4).and().i32(4).mul().set(vecEnd);
  c.get(len).i32(4).mul().set(end);
  c.loop(() => {
    c.get(src).set(s);
    c.get(dst).set(d);
    c.i32(0).set(i);
    c.loop(() => {
      c.i32(0).set(j);
      c.block(() => {
        c.get(j).get(vecEnd).ltU().i32(0).eq().brIf(0);
        c.loop(() => {
          c.get(d).get(j).add().get(s).get(j).add().v128Load().v128Store();
          c.get(j).i32(16).add().tee(j).get(vecEnd).ltU().brIf(0);
        });
      });
      c.block(() => {
        c.get(j).get(end).ltU().i32(0).eq().brIf(0);
        c.loop(() => {
          c.get(d).get(j).add().get(s).get(j).add().loadF32().storeF32();
          c.get(j).i32(4).add().tee(j).get(end).ltU().brIf(0);
        });
      });
      c.get(s).get(srcStride).add().set(s);
      c.get(d).get(dstStride).add().set(d);
      c.get(i).i32(1).add().tee(i).get(runs).ltU().brIf(0);
    });
    c.get(src).get(srcOuter).add().set(src);
    c.get(dst).get(dstOuter).add().set(dst);
    c.get(o).i32(1).add().tee(o).get(outer).ltU().brIf(0);
  });
  return { name: 'copyRuns', params: 9, code: c };
}

/**
 * `addRuns(dst, src, outer, runs, len, srcStride, dstStride, srcOuter, dstOuter)`: like
 * `copyRuns`, but adds each run of `src` onto `dst`. `len % 4 == 0` (no scalar tail).
 */
function addRuns(): Func {
  const [dst, src, outer, runs, len, srcStride, dstStride, srcOuter, dstOuter] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const c = new Code(9);
  const o = c.local(I32);
  const i = c.local(I32);
  const j = c.local(I32);
  const s = c.local(I32);
  const d = c.local(I32);
  const p = c.local(I32);
  const end = c.local(I32);
  c.get(len).i32(4).mul().set(end);
  c.loop(() => {
    c.get(src).set(s);
    c.get(dst).set(d);
    c.i32(0).set(i);
    c.loop(() => {
      c.i32(0).set(j);
      c.loop(() => {
        c.get(d).get(j).add().tee(p);
        c.get(p).v128Load().get(s).get(j).add().v128Load().f32x4Add();
        c.v128Store();
        c.get(j).i32(16).add().tee(j).get(end).ltU().brIf(0);
      });
      c.get(s).get(srcStride).add().set(s);
      c.get(d).get(dstStride).add().set(d);
      c.get(i).i32(1).add().tee(i).get(runs).ltU().brIf(0);
    });
    c.get(src).get(srcOuter).add().set(src);
    c.get(dst).get(dstOuter).add().set(dst);
    c.get(o).i32(1).add().tee(o).get(outer).ltU().brIf(0);
  });
  return { name: 'addRuns', params: 9, code: c };
}

/** The odd polynomial of tanh on [0, 0.55) in a^2, highest power first (native/vmath.h's). */
const TANH_SMALL = [-0.006274240091443062, 0.021071679890155792, -0.05385230854153633, 0.13332585990428925, -0.33333316445350647];
/** e^r on |r| <= ln2/2: degree-7 Taylor, highest power first. */
const EXP_TAYLOR = [1 / 720, 1 / 120, 1 / 24, 1 / 6, 0.5, 1, 1];
const MAGIC = 12582912; // 1.5 * 2^23: adding it rounds a float to an integer

/**
 * Emits tanh(a) into `t`, and sech^2(a) = 1 - tanh(a)^2 into `s2` when given, for lanes
 * a >= 0, with native/vmath.h's constants and order of operations (`wasm` and `native` agree
 * to within one ulp where the C++ compiler contracts a multiply-add): below 0.55 an odd
 * polynomial; above, tanh = 1 - q with q = 2/(e^{2a}+1),
 * e^{2a} by Cody-Waite reduction and a Taylor polynomial, the argument clamped at 20 so that
 * Infinity gives exactly 1. NaN lanes give unspecified values; callers propagate NaN.
 */
function tanhSech2(c: Code, a: number, t: number, s2?: number): void {
  const [a2, p, ts, y, kf, r, q, small] = Array.from({ length: 8 }, () => c.local(V128)) as [number, number, number, number, number, number, number, number];
  c.get(a).get(a).f32x4Mul().set(a2);
  c.f32x4Const(TANH_SMALL[0]!).set(p);
  for (const k of TANH_SMALL.slice(1)) c.get(p).get(a2).f32x4Mul().f32x4Const(k).f32x4Add().set(p);
  c.get(a).get(a).get(a2).f32x4Mul().get(p).f32x4Mul().f32x4Add().set(ts);
  c.get(a).f32x4Const(20).get(a).f32x4Const(20).f32x4Lt().bitselect().set(y);
  c.get(y).get(y).f32x4Add().set(y);
  c.get(y).f32x4Const(1.44269504088896341).f32x4Mul().f32x4Const(MAGIC).f32x4Add().f32x4Const(MAGIC).f32x4Sub().set(kf);
  c.get(y).get(kf).f32x4Const(0.693145751953125).f32x4Mul().f32x4Sub().set(r);
  c.get(r).get(kf).f32x4Const(1.42860682030941723e-6).f32x4Mul().f32x4Sub().set(r);
  c.f32x4Const(1 / 5040).set(p);
  for (const k of EXP_TAYLOR) c.get(p).get(r).f32x4Mul().f32x4Const(k).f32x4Add().set(p);
  // 2^k from the exponent bits: (k + 127) << 23.
  c.get(p).get(kf).i32x4TruncSatF32x4S().v128I32(127, 127, 127, 127).i32x4Add().i32(23).i32x4Shl().f32x4Mul().set(p);
  c.f32x4Const(2).get(p).f32x4Const(1).f32x4Add().f32x4Div().set(q);
  c.get(a).f32x4Const(0.55).f32x4Lt().set(small);
  c.get(ts).f32x4Const(1).get(q).f32x4Sub().get(small).bitselect().set(t);
  if (s2 !== undefined) {
    c.f32x4Const(1).get(ts).get(ts).f32x4Mul().f32x4Sub();
    c.get(q).f32x4Const(2).get(q).f32x4Sub().f32x4Mul();
    c.get(small).bitselect().set(s2);
  }
}

/** `lisht(x, y, count)`: y = |x| tanh|x| for `count` groups of 4 floats. Requires `count >= 1`. */
function lisht(): Func {
  const [x, y, count] = [0, 1, 2];
  const c = new Code(3);
  const i = c.local(I32);
  const a = c.local(V128);
  const t = c.local(V128);
  c.loop(() => {
    c.get(x).v128Load().f32x4Abs().set(a);
    tanhSech2(c, a, t);
    c.get(y).get(a).get(t).f32x4Mul().v128Store();
    c.get(x).i32(16).add().set(x);
    c.get(y).i32(16).add().set(y);
    c.get(i).i32(1).add().tee(i).get(count).ltU().brIf(0);
  });
  return { name: 'lisht', params: 3, code: c };
}

/**
 * `lishtGrad(dy, x, dx, count)`: dx = dy (tanh x + x sech^2 x) for `count` groups of 4 floats,
 * the x sech^2 term dropped beyond |x| = 20 (so ±Infinity has slope ±1), NaN x giving NaN.
 * Requires `count >= 1`.
 */
function lishtGrad(): Func {
  const [dy, x, dx, count] = [0, 1, 2, 3];
  const c = new Code(4);
  const i = c.local(I32);
  const [v, a, t, s2, g] = Array.from({ length: 5 }, () => c.local(V128)) as [number, number, number, number, number];
  c.loop(() => {
    c.get(x).v128Load().tee(v).f32x4Abs().set(a);
    tanhSech2(c, a, t, s2);
    // g = (t + select(a < 20, a s2, 0)) with the sign of x
    c.get(t).get(a).get(s2).f32x4Mul().f32x4Const(0).get(a).f32x4Const(20).f32x4Lt().bitselect().f32x4Add();
    c.get(v).v128I32(-0x80000000, -0x80000000, -0x80000000, -0x80000000).v128And().v128Or().set(g);
    c.get(dy).v128Load().get(g).f32x4Mul().set(g);
    c.get(dx).get(v).get(g).get(v).get(v).f32x4Ne().bitselect().v128Store();
    c.get(dy).i32(16).add().set(dy);
    c.get(x).i32(16).add().set(x);
    c.get(dx).i32(16).add().set(dx);
    c.get(i).i32(1).add().tee(i).get(count).ltU().brIf(0);
  });
  return { name: 'lishtGrad', params: 4, code: c };
}

/** The module's bytes. */
export function simdModuleBytes(): Uint8Array<ArrayBuffer> {
  return assemble([maxPoolBackpropRow(), columnSums(), copyRuns(), addRuns(), lisht(), lishtGrad()]);
}
