// Portable 16-lane float vectors (GCC/Clang vector extensions) and the few transcendental
// functions the fused activation kernels need. Written branch-free so one code path serves
// every lane, the scalar tail included (the tail goes through a padded vector), which keeps
// results bit-identical regardless of where an element sits in a tensor.
#pragma once

#include <cstdint>
#include <cstring>

// Forced inlining lets each instruction-set clone of a caller compile these at its own width.
#define LISHT_INLINE static inline __attribute__((always_inline))
// The same for a lambda passed to a loop template (a call through it would otherwise be compiled
// once, for the baseline instruction set).
#define LISHT_LAMBDA_INLINE __attribute__((always_inline))

namespace lisht {

typedef float vf __attribute__((vector_size(64)));
typedef int32_t vi __attribute__((vector_size(64)));
constexpr int kLanes = 16;

LISHT_INLINE vf splat(float v) { return vf{} + v; }
LISHT_INLINE vf load(const float* p) { vf v; std::memcpy(&v, p, sizeof v); return v; }
LISHT_INLINE void store(float* p, vf v) { std::memcpy(p, &v, sizeof v); }
// A cast between vector types of equal size reinterprets the bits.
LISHT_INLINE vi bits(vf v) { return (vi)v; }
LISHT_INLINE vf from_bits(vi v) { return (vf)v; }
LISHT_INLINE vf select(vi mask, vf a, vf b) { return from_bits((mask & bits(a)) | (~mask & bits(b))); }
LISHT_INLINE vf vabs(vf v) { return from_bits(bits(v) & 0x7fffffff); }
// `magnitude` with the sign bit of `sign`; `magnitude` must be non-negative.
LISHT_INLINE vf with_sign_of(vf magnitude, vf sign) { return from_bits(bits(magnitude) | (bits(sign) & (int32_t)0x80000000)); }

// e^y for 0 <= y <= 88 (callers clamp; 2^k stays a normal float): Cody-Waite reduction by ln 2, degree-7 Taylor on
// |r| <= ln2/2 (truncation error < 3e-9 relative), then scaling by 2^k through the exponent bits.
LISHT_INLINE vf exp_0_88(vf y) {
  const float kMagic = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer in round-to-nearest mode
  vf kf = (y * 1.44269504088896341f + kMagic) - kMagic;
  vf r = y - kf * 0.693145751953125f;  // ln2 split in a part exact in float and the rest
  r = r - kf * 1.42860682030941723e-6f;
  vf p = splat(1.0f / 5040);
  p = p * r + 1.0f / 720;
  p = p * r + 1.0f / 120;
  p = p * r + 1.0f / 24;
  p = p * r + 1.0f / 6;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  vi k = __builtin_convertvector(kf, vi);
  return p * from_bits((k + 127) << 23);
}

// tanh(a) and sech^2(a) = 1 - tanh(a)^2 for a >= 0 (or NaN, which gives unspecified values:
// callers propagate NaN themselves). Below 0.55 an odd polynomial (fitted for this project by
// weighted least squares, max error about 1.1 ulp); above, tanh = 1 - q with q = 2/(e^{2a}+1),
// which keeps sech^2 = q(2-q) accurate where 1 - t^2 would cancel. Beyond a = 20 tanh is 1 in
// float and the exponent is clamped so Inf inputs give t = 1 exactly.
LISHT_INLINE void tanh_sech2_pos(vf a, vf& t, vf& s2) {
  vf a2 = a * a;
  vf p = splat(-0.006274240091443062f);
  p = p * a2 + 0.021071679890155792f;
  p = p * a2 + -0.05385230854153633f;
  p = p * a2 + 0.13332585990428925f;
  p = p * a2 + -0.33333316445350647f;
  vf t_small = a + (a * a2) * p;
  vf ac = select(a < 20.0f, a, splat(20.0f));
  vf e = exp_0_88(ac + ac);
  vf q = 2.0f / (e + 1.0f);
  vi small = a < 0.55f;
  t = select(small, t_small, 1.0f - q);
  s2 = select(small, 1.0f - t_small * t_small, q * (2.0f - q));
}

// tanh(x) = sign(x) tanh(|x|): -0 stays -0, NaN propagates.
LISHT_INLINE vf tanh_v(vf x) {
  vf t, s2;
  tanh_sech2_pos(vabs(x), t, s2);
  return select(x != x, x, with_sign_of(t, x));
}

// 1 / (1 + e^-x) from q = e^-|x|, formed as (e^{|x|/2})^-2 so that it stays finite where e^|x|
// overflows and reaches the subnormal results below x = -88: 1/(1+q) for x >= 0, q/(1+q) below.
LISHT_INLINE vf sigmoid_v(vf x) {
  vf h = vabs(x) * 0.5f;
  vf r = 1.0f / exp_0_88(select(h < 87.0f, h, splat(87.0f)));
  vf q = r * r;
  vf s = 1.0f / (1.0f + q);
  return select(x != x, x, select(x < 0.0f, q * s, s));
}

// LiSHT forward: x * tanh(x) = |x| * tanh(|x|); NaN propagates through the product.
LISHT_INLINE vf lisht_fwd(vf x) {
  vf a = vabs(x), t, s2;
  tanh_sech2_pos(a, t, s2);
  return a * t;
}

// LiSHT backward: dy * (tanh(x) + x sech^2(x)). The x sech^2 term is dropped beyond |x| = 20
// (it is below 1e-15 there) so that x = +-Inf gives a slope of exactly +-1, not Inf * 0.
LISHT_INLINE vf lisht_bwd(vf dy, vf x) {
  vf a = vabs(x), t, s2;
  tanh_sech2_pos(a, t, s2);
  vf term = select(a < 20.0f, a * s2, splat(0.0f));
  vf g = with_sign_of(t + term, x);
  vf dx = dy * g;
  return select(x != x, x, dx);
}

// y = f(x) a vector at a time (f: a LISHT_LAMBDA_INLINE lambda). The partial last vector goes
// through a zero-padded copy, so every element takes the same arithmetic path whatever its position.
template <typename F>
LISHT_INLINE void map_vectors(F f, const float* x, float* y, int64_t n) {
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) store(y + i, f(load(x + i)));
  if (i < n) {
    float in[kLanes] = {0}, out[kLanes];
    std::memcpy(in, x + i, sizeof(float) * (n - i));
    store(out, f(load(in)));
    std::memcpy(y + i, out, sizeof(float) * (n - i));
  }
}

// y = f(a, b) a vector at a time, as map_vectors.
template <typename F>
LISHT_INLINE void map_vectors2(F f, const float* a, const float* b, float* y, int64_t n) {
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) store(y + i, f(load(a + i), load(b + i)));
  if (i < n) {
    float in_a[kLanes] = {0}, in_b[kLanes] = {0}, out[kLanes];
    std::memcpy(in_a, a + i, sizeof(float) * (n - i));
    std::memcpy(in_b, b + i, sizeof(float) * (n - i));
    store(out, f(load(in_a), load(in_b)));
    std::memcpy(y + i, out, sizeof(float) * (n - i));
  }
}

}  // namespace lisht
