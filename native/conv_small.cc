#include "conv_small.h"

#include <cstring>
#include <vector>

#include "common.h"
#include "vmath.h"

namespace lisht {
namespace {

// For one output pixel, its receptive field as K values (zero where it falls in the padding),
// in HWI order: the row order of the HWIO filter.
LISHT_INLINE void gather(const ConvGeom& g, const float* x, int64_t pixel, float* col) {
  int64_t ow = pixel % g.ow, oh = (pixel / g.ow) % g.oh, n = pixel / (g.ow * g.oh);
  int64_t r0 = oh * g.sh - g.pt, c0 = ow * g.sw - g.pl;
  int k = 0;
  for (int64_t i = 0; i < g.kh; ++i) {
    int64_t r = r0 + i * g.dh;
    for (int64_t j = 0; j < g.kw; ++j) {
      int64_t c = c0 + j * g.dw;
      bool inside = r >= 0 && r < g.ih && c >= 0 && c < g.iw;
      const float* p = x + ((n * g.ih + r) * g.iw + c) * g.ic;
      for (int64_t ch = 0; ch < g.ic; ++ch) col[k++] = inside ? p[ch] : 0.0f;
    }
  }
}

// Accumulates, over pixels [p0, p1), outer products col x dy for one 16-channel slice of the
// output channels into acc (K x 16) and the dy sum into bias_acc. The K + 1 vector accumulators
// stay in registers (K <= 27 leaves room in AVX-512's 32), and inside the image each col value
// is broadcast straight from x into its multiply-add: for a fixed filter row the KW x IC
// values are contiguous in NHWC.
template <int KH, int KWIC>
LISHT_INLINE void accumulate_slice(const ConvGeom& g, const float* x, const float* dy, int64_t slice, int64_t p0, int64_t p1,
                                   float* acc, float* bias_acc) {
  constexpr int K = KH * KWIC;
  vf a[K];
#pragma GCC unroll 32
  for (int k = 0; k < K; ++k) a[k] = splat(0.0f);
  vf b = splat(0.0f);
  float col[K];
  const int64_t row_stride = g.iw * g.ic;
  const bool dense = g.dh == 1 && g.dw == 1;
  int64_t ow = p0 % g.ow, oh = (p0 / g.ow) % g.oh, n = p0 / (g.ow * g.oh);
  for (int64_t p = p0; p < p1; ++p) {
    const int64_t r0 = oh * g.sh - g.pt, c0 = ow * g.sw - g.pl;
    const vf d = load(dy + p * g.oc + slice * kLanes);
    if (dense && r0 >= 0 && c0 >= 0 && r0 + KH <= g.ih && c0 + g.kw <= g.iw) {
      const float* base = x + ((n * g.ih + r0) * g.iw + c0) * g.ic;
#pragma GCC unroll 8
      for (int i = 0; i < KH; ++i)
#pragma GCC unroll 32
        for (int j = 0; j < KWIC; ++j) a[i * KWIC + j] += base[i * row_stride + j] * d;
    } else {
      gather(g, x, p, col);
#pragma GCC unroll 32
      for (int k = 0; k < K; ++k) a[k] += col[k] * d;
    }
    b += d;
    if (++ow == g.ow) {
      ow = 0;
      if (++oh == g.oh) {
        oh = 0;
        ++n;
      }
    }
  }
#pragma GCC unroll 32
  for (int k = 0; k < K; ++k) store(acc + k * kLanes, a[k]);
  store(bias_acc, b);
}

// One thread's share: partial[k * oc + o] and partial_bias[o] over pixels [p0, p1).
template <int KH, int KWIC>
LISHT_SIMD void thread_partials(const ConvGeom& g, const float* x, const float* dy, int64_t p0, int64_t p1, float* partial, float* partial_bias) {
  constexpr int K = KH * KWIC;
  float acc[K * kLanes], bias[kLanes];
  for (int64_t s = 0; s < g.oc / kLanes; ++s) {
    accumulate_slice<KH, KWIC>(g, x, dy, s, p0, p1, acc, bias);
    for (int k = 0; k < K; ++k) std::memcpy(partial + k * g.oc + s * kLanes, acc + k * kLanes, sizeof(float) * kLanes);
    std::memcpy(partial_bias + s * kLanes, bias, sizeof(float) * kLanes);
  }
}

template <int KH, int KWIC>
bool run(const ConvGeom& g, const float* x, const float* dy, float* dw, float* db) {
  constexpr int K = KH * KWIC;
  const int64_t pixels = g.n * g.oh * g.ow;
  // One partial per possible thread (parallel_ranges uses at most omp_get_max_threads()); the
  // unused ones stay zero.
  const int nt = omp_get_max_threads();
  std::vector<float> partial(static_cast<size_t>(nt) * K * g.oc, 0.0f), partial_bias(static_cast<size_t>(nt) * g.oc, 0.0f);
  parallel_ranges(pixels, 256, [&](int64_t p0, int64_t p1) {
    int t = omp_in_parallel() ? omp_get_thread_num() : 0;
    thread_partials<KH, KWIC>(g, x, dy, p0, p1, partial.data() + t * K * g.oc, partial_bias.data() + t * g.oc);
  });
  for (int64_t i = 0; i < K * g.oc; ++i) {
    float s = 0;
    for (int t = 0; t < nt; ++t) s += partial[t * K * g.oc + i];
    dw[i] = s;
  }
  if (db) {
    for (int64_t o = 0; o < g.oc; ++o) {
      float s = 0;
      for (int t = 0; t < nt; ++t) s += partial_bias[t * g.oc + o];
      db[o] = s;
    }
  }
  return true;
}

// Sum of the 16 lanes as a tree (4 dependent adds, not 16).
LISHT_INLINE float hsum(vf v) {
  typedef float v8 __attribute__((vector_size(32)));
  typedef float v4 __attribute__((vector_size(16)));
  v8 h = __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7) + __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
  v4 q = __builtin_shufflevector(h, h, 0, 1, 2, 3) + __builtin_shufflevector(h, h, 4, 5, 6, 7);
  return (q[0] + q[2]) + (q[1] + q[3]);
}

// dx for input pixels [p0, p1) of a stride-1, dilation-1 convolution with IC input channels:
// each pixel gathers, from every filter position that covers it, dy (one output pixel's OC
// values) times that position's OC-long filter rows, vectorised along OC; one horizontal sum
// per input channel at the end. Every dx element is written once.
template <int IC, int KH, int KW>
LISHT_SIMD void backward_data_pixels(const ConvGeom& g, const float* dy, const float* w, float* dx, int64_t p0, int64_t p1) {
  const int64_t slices = g.oc / kLanes;
  int64_t j = p0 % g.iw, i = (p0 / g.iw) % g.ih, n = p0 / (g.iw * g.ih);
  for (int64_t p = p0; p < p1; ++p) {
    vf acc[IC];
#pragma GCC unroll 4
    for (int c = 0; c < IC; ++c) acc[c] = splat(0.0f);
#pragma GCC unroll 8
    for (int kh = 0; kh < KH; ++kh) {
      const int64_t oh = i + g.pt - kh;
      if (oh < 0 || oh >= g.oh) continue;
#pragma GCC unroll 8
      for (int kw = 0; kw < KW; ++kw) {
        const int64_t ow = j + g.pl - kw;
        if (ow < 0 || ow >= g.ow) continue;
        const float* d = dy + ((n * g.oh + oh) * g.ow + ow) * g.oc;
        const float* wrow = w + (kh * KW + kw) * IC * g.oc;
        for (int64_t s = 0; s < slices; ++s) {
          const vf dv = load(d + s * kLanes);
#pragma GCC unroll 4
          for (int c = 0; c < IC; ++c) acc[c] += dv * load(wrow + c * g.oc + s * kLanes);
        }
      }
    }
#pragma GCC unroll 4
    for (int c = 0; c < IC; ++c) dx[p * IC + c] = hsum(acc[c]);
    if (++j == g.iw) {
      j = 0;
      if (++i == g.ih) {
        i = 0;
        ++n;
      }
    }
  }
}

template <int IC, int KH, int KW>
bool run_backward_data(const ConvGeom& g, const float* dy, const float* w, float* dx) {
  const int64_t pixels = g.n * g.ih * g.iw;
  parallel_ranges(pixels, 1024, [&](int64_t p0, int64_t p1) { backward_data_pixels<IC, KH, KW>(g, dy, w, dx, p0, p1); });
  return true;
}

}  // namespace

bool conv_backward_data_small(const ConvGeom& g, const float* dy, const float* w, float* dx) {
  if (g.oc % kLanes != 0 || g.sh != 1 || g.sw != 1 || g.dh != 1 || g.dw != 1 || g.n * g.ih * g.iw == 0) return false;
  if (g.kh == 3 && g.kw == 3 && g.ic == 3) return run_backward_data<3, 3, 3>(g, dy, w, dx);
  if (g.kh == 3 && g.kw == 3 && g.ic == 1) return run_backward_data<1, 3, 3>(g, dy, w, dx);
  if (g.kh == 5 && g.kw == 5 && g.ic == 1) return run_backward_data<1, 5, 5>(g, dy, w, dx);
  return false;
}

bool conv_backward_filter_small(const ConvGeom& g, const float* x, const float* dy, float* dw, float* db) {
  if (g.oc % kLanes != 0 || g.n * g.oh * g.ow == 0) return false;
  const int64_t kwic = g.kw * g.ic;
  if (g.kh == 3 && kwic == 9) return run<3, 9>(g, x, dy, dw, db);  // 3x3 over RGB
  if (g.kh == 5 && kwic == 5) return run<5, 5>(g, x, dy, dw, db);  // 5x5 over one channel
  if (g.kh == 3 && kwic == 3) return run<3, 3>(g, x, dy, dw, db);  // 3x3 over one channel
  return false;
}

}  // namespace lisht
