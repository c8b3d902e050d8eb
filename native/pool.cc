// Max pooling over NHWC, vectorised across channels, optionally of an activation of the input
// (identity, ReLU or LiSHT) computed on the fly, so that activation + pooling is one sweep
// forward and one backward. Semantics follow the TF.js cpu backend applied to act(x): a
// window's max is its first strictly greater element (NaN never wins), and the gradient goes
// to that element only (times act'(x) there). LiSHT windows are ranked by |x| (rank_vec), the
// same order except where two different |x| round to the same float32 LiSHT value: there
// the larger |x|, not the first, receives the gradient.
#include <cmath>
#include <cstring>
#include <vector>

#include "activation.h"
#include "common.h"
#include "pool_geom.h"
#include "vmath.h"

namespace lisht {
namespace {

// out[k] = act(x[k]) for k < c.
LISHT_INLINE void activate(const float* __restrict x, float* __restrict out, int64_t c, int act) {
  if (act == kRelu) {
    for (int64_t k = 0; k < c; ++k) out[k] = (x[k] > 0.0f || x[k] != x[k]) ? x[k] : 0.0f;
    return;
  }
  map_vectors([](vf v) LISHT_LAMBDA_INLINE { return lisht_fwd(v); }, x, out, c);
}

// g[k] = dy[k] * act'(x[k]), with TF.js's conventions (ReLU: dy * step(x), NaN propagating).
LISHT_INLINE void activate_grad(const float* __restrict dy, const float* __restrict x, float* __restrict g, int64_t c, int act) {
  if (act == kIdentity) {
    std::memcpy(g, dy, sizeof(float) * c);
  } else if (act == kRelu) {
    for (int64_t k = 0; k < c; ++k) g[k] = dy[k] * (x[k] != x[k] ? x[k] : (x[k] > 0.0f ? 1.0f : 0.0f));
  } else {
    map_vectors2([](vf d, vf v) LISHT_LAMBDA_INLINE { return lisht_bwd(d, v); }, dy, x, g, c);
  }
}

// out[k] = the key x[k] ranks by in a window (see rank_vec).
LISHT_INLINE void rank(const float* __restrict x, float* __restrict out, int64_t c, int act) {
  if (act == kLisht) {
    for (int64_t k = 0; k < c; ++k) out[k] = std::fabs(x[k]);
  } else {
    activate(x, out, c, act);
  }
}

LISHT_INLINE void max_into(float* __restrict m, const float* __restrict x, int64_t c) {
  for (int64_t k = 0; k < c; ++k) m[k] = x[k] > m[k] ? x[k] : m[k];
}

LISHT_INLINE void argmax_into(float* __restrict best, int32_t* __restrict at, const float* __restrict x, int32_t pos, int64_t c) {
  for (int64_t k = 0; k < c; ++k) {
    bool gt = x[k] > best[k];
    best[k] = gt ? x[k] : best[k];
    at[k] = gt ? pos : at[k];
  }
}

LISHT_INLINE void propagate_nan(const float* __restrict x, float* __restrict dx, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dx[i] = x[i] != x[i] ? x[i] : dx[i];
}

// Cloned per instruction set as a whole so the per-pixel helpers inline at full width.
LISHT_SIMD void max_pool_rows(const PoolGeom& g, int act, const float* x, float* y, int64_t row_begin, int64_t row_end) {
  std::vector<float> tmp(act == kIdentity ? 0 : g.c);
  for (int64_t row = row_begin; row < row_end; ++row) {  // row = b * oh + r
    int64_t b = row / g.oh, r = row % g.oh;
    int64_t r0 = r * g.sh - g.pt;
    for (int64_t col = 0; col < g.ow; ++col) {
      int64_t c0 = col * g.sw - g.pl;
      float* out = y + (row * g.ow + col) * g.c;
      std::fill(out, out + g.c, -INFINITY);
      for (int64_t i = std::max<int64_t>(r0, 0); i < std::min(r0 + g.fh, g.ih); ++i) {
        for (int64_t j = std::max<int64_t>(c0, 0); j < std::min(c0 + g.fw, g.iw); ++j) {
          const float* in = x + ((b * g.ih + i) * g.iw + j) * g.c;
          if (act != kIdentity) {
            rank(in, tmp.data(), g.c, act);
            in = tmp.data();
          }
          max_into(out, in, g.c);
        }
      }
      if (act == kLisht) {  // out holds each window's max |x|; -Inf (no value won) stays
        activate(out, tmp.data(), g.c, act);
        for (int64_t k = 0; k < g.c; ++k) out[k] = out[k] == -INFINITY ? out[k] : tmp[k];
      }
    }
  }
}

// dx for images [b_begin, b_end): zeroed, then each output's dy * act'(x) added at its
// window's argmax.
LISHT_SIMD void max_pool_grad_images(const PoolGeom& g, int act, const float* dy, const float* x, float* dx, int64_t b_begin, int64_t b_end) {
  std::vector<float> best(g.c), tmp(g.c), xs(g.c), dys(g.c), grad(g.c);
  std::vector<int32_t> at(g.c);
  const int64_t image = g.ih * g.iw * g.c;
  for (int64_t b = b_begin; b < b_end; ++b) {
    const float* xb = x + b * image;
    float* dxb = dx + b * image;
    std::memset(dxb, 0, sizeof(float) * image);
    for (int64_t r = 0; r < g.oh; ++r) {
      int64_t r0 = r * g.sh - g.pt;
      for (int64_t col = 0; col < g.ow; ++col) {
        int64_t c0 = col * g.sw - g.pl;
        std::fill(best.begin(), best.end(), -INFINITY);
        std::fill(at.begin(), at.end(), -1);
        for (int64_t i = std::max<int64_t>(r0, 0); i < std::min(r0 + g.fh, g.ih); ++i) {
          for (int64_t j = std::max<int64_t>(c0, 0); j < std::min(c0 + g.fw, g.iw); ++j) {
            const float* in = xb + (i * g.iw + j) * g.c;
            if (act != kIdentity) {
              rank(in, tmp.data(), g.c, act);
              in = tmp.data();
            }
            argmax_into(best.data(), at.data(), in, static_cast<int32_t>(i * g.iw + j), g.c);
          }
        }
        const float* d = dy + ((b * g.oh + r) * g.ow + col) * g.c;
        const float* gk = d;
        if (act != kIdentity) {
          for (int64_t k = 0; k < g.c; ++k) {
            xs[k] = at[k] >= 0 ? xb[at[k] * g.c + k] : 0.0f;
            dys[k] = at[k] >= 0 ? d[k] : 0.0f;
          }
          activate_grad(dys.data(), xs.data(), grad.data(), g.c, act);
          gk = grad.data();
        }
        for (int64_t k = 0; k < g.c; ++k) {
          if (at[k] >= 0) dxb[at[k] * g.c + k] += gk[k];
        }
      }
    }
    // Composed, TF.js multiplies the pooling gradient (0 off the argmax) by act'(x), and
    // 0 * act'(NaN) is NaN: every NaN input gets a NaN gradient, winner or not.
    if (act != kIdentity) propagate_nan(xb, dxb, image);
  }
}

// The common case of windows that tile the image (stride >= window, no padding, channels a
// multiple of 16): every dx element belongs to at most one window, so it is written once, the
// window's argmax getting dy * act'(x) and the rest 0 (NaN where x is NaN, as 0 * act'(NaN)
// in the composed ops), with argmax, value and gradient carried in vector registers.
LISHT_SIMD void max_pool_grad_images_tiled(const PoolGeom& g, int act, const float* dy, const float* x, float* dx, int64_t b_begin,
                                           int64_t b_end) {
  const int64_t c = g.c, wsize = g.fh * g.fw;
  std::vector<int64_t> offset(wsize);  // window position q -> element offset from its corner
  for (int64_t q = 0; q < wsize; ++q) offset[q] = ((q / g.fw) * g.iw + q % g.fw) * c;
  const int64_t image = g.ih * g.iw * c;
  const vf zero = splat(0.0f);
  for (int64_t b = b_begin; b < b_end; ++b) {
    const float* xb = x + b * image;
    float* dxb = dx + b * image;
    for (int64_t r = 0; r < g.oh; ++r) {
      for (int64_t col = 0; col < g.ow; ++col) {
        const int64_t corner = (r * g.sh * g.iw + col * g.sw) * c;
        const float* d = dy + ((b * g.oh + r) * g.ow + col) * c;
        for (int64_t k = 0; k < c; k += kLanes) {
          vf best = splat(-INFINITY), xa = zero;
          vi at = vi{} - 1;
          for (int64_t q = 0; q < wsize; ++q) {
            vf xq = load(xb + corner + offset[q] + k);
            vf v = rank_vec(xq, act);
            vi gt = v > best;
            best = select(gt, v, best);
            xa = select(gt, xq, xa);
            at = (gt & static_cast<int32_t>(q)) | (~gt & at);
          }
          vf grad = select(at >= 0, act_grad_vec(load(d + k), xa, act), zero);
          for (int64_t q = 0; q < wsize; ++q) {
            vf off_argmax = zero;
            if (act != kIdentity) {
              vf xq = load(xb + corner + offset[q] + k);
              off_argmax = select(xq != xq, xq, zero);
            }
            store(dxb + corner + offset[q] + k, select(at == static_cast<int32_t>(q), grad, off_argmax));
          }
        }
      }
      // Columns right of the last window, then rows between windows and below the last.
      for (int64_t i = r * g.sh; i < r * g.sh + g.fh; ++i) {
        for (int64_t e = g.ow * g.sw * c; e < g.iw * c; ++e) {
          float v = xb[i * g.iw * c + e];
          dxb[i * g.iw * c + e] = (act != kIdentity && v != v) ? v : 0.0f;
        }
      }
      const int64_t gap_end = r + 1 < g.oh ? (r + 1) * g.sh : g.ih;
      for (int64_t i = r * g.sh + g.fh; i < gap_end; ++i) {
        for (int64_t e = 0; e < g.iw * c; ++e) {
          float v = xb[i * g.iw * c + e];
          dxb[i * g.iw * c + e] = (act != kIdentity && v != v) ? v : 0.0f;
        }
      }
    }
  }
}

int act_arg(const Napi::CallbackInfo& info, size_t i) {
  int act = info.Length() > i && info[i].IsNumber() ? static_cast<int>(i64(info[i])) : kIdentity;
  if (act < kIdentity || act > kLisht) throw Napi::RangeError::New(info.Env(), "unknown pooling activation");
  return act;
}

// maxPool(x, y, geom, act = 0): y = maxpool(act(x))
Napi::Value MaxPool(const Napi::CallbackInfo& info) {
  PoolGeom g = PoolGeom::from(info[2]);
  const float* x = f32(info[0], "x");
  float* y = f32(info[1], "y");
  int act = act_arg(info, 3);
  if (f32_len(info[0]) != g.n * g.ih * g.iw * g.c || f32_len(info[1]) != g.n * g.oh * g.ow * g.c) {
    throw Napi::RangeError::New(info.Env(), "maxPool: array sizes do not match the geometry");
  }
  parallel_ranges(g.n * g.oh, 1, [&](int64_t b, int64_t e) { max_pool_rows(g, act, x, y, b, e); });
  return info.Env().Undefined();
}

// maxPoolGrad(dy, x, dx, geom, act = 0): dx = d maxpool(act(x)) / dx . dy
Napi::Value MaxPoolGrad(const Napi::CallbackInfo& info) {
  PoolGeom g = PoolGeom::from(info[3]);
  const float* dy = f32(info[0], "dy");
  const float* x = f32(info[1], "x");
  float* dx = f32(info[2], "dx");
  int act = act_arg(info, 4);
  if (f32_len(info[0]) != g.n * g.oh * g.ow * g.c || f32_len(info[1]) != g.n * g.ih * g.iw * g.c || f32_len(info[2]) != f32_len(info[1])) {
    throw Napi::RangeError::New(info.Env(), "maxPoolGrad: array sizes do not match the geometry");
  }
  const bool tiled = g.c % kLanes == 0 && g.sh >= g.fh && g.sw >= g.fw && g.pt == 0 && g.pl == 0 && g.oh > 0 &&
                     g.ow > 0 && (g.oh - 1) * g.sh + g.fh <= g.ih && (g.ow - 1) * g.sw + g.fw <= g.iw;
  parallel_ranges(g.n, 1, [&](int64_t b, int64_t e) {
    if (tiled) max_pool_grad_images_tiled(g, act, dy, x, dx, b, e);
    else max_pool_grad_images(g, act, dy, x, dx, b, e);
  });
  return info.Env().Undefined();
}

}  // namespace

void RegisterPool(Napi::Env env, Napi::Object exports) {
  exports.Set("maxPool", Napi::Function::New(env, MaxPool));
  exports.Set("maxPoolGrad", Napi::Function::New(env, MaxPoolGrad));
}

}  // namespace lisht
