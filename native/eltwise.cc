// Element-wise kernels: binary arithmetic with the broadcasts TF.js graphs use (equal shapes,
// a scalar, or a bias-like operand repeating along the last axes), unary maths, and LiSHT's
// forward and backward passes fused into one sweep each.
#include <cmath>
#include <cstring>

#include "common.h"
#include "vmath.h"

namespace lisht {
namespace {

enum BinaryOp { kAdd = 0, kSub = 1, kMul = 2, kDiv = 3, kSquaredDiff = 4 };
enum UnaryOp { kRelu = 0, kStep = 1, kSquare = 2, kSqrt = 3, kNeg = 4, kAbs = 5, kReciprocal = 6, kTanh = 7, kSigmoid = 8 };

#define LISHT_BINARY_LOOP(EXPR)                                                  \
  for (int64_t r = 0; r < rows; ++r) {                                           \
    const float* __restrict pa = a + (a_rep ? 0 : r * m);                        \
    const float* __restrict pb = b + (b_rep ? 0 : r * m);                        \
    float* __restrict po = o + r * m;                                            \
    for (int64_t j = 0; j < m; ++j) {                                            \
      float u = pa[j], v = pb[j];                                                \
      po[j] = (EXPR);                                                            \
    }                                                                            \
  }

// rows x m outputs; an operand flagged *_rep holds m values reused for every row, the other
// holds rows x m. Equal shapes are the case rows = 1.
LISHT_SIMD void binary_rows(int op, const float* a, bool a_rep, const float* b, bool b_rep, float* o, int64_t rows, int64_t m) {
  switch (op) {
    case kAdd: LISHT_BINARY_LOOP(u + v) break;
    case kSub: LISHT_BINARY_LOOP(u - v) break;
    case kMul: LISHT_BINARY_LOOP(u * v) break;
    case kDiv: LISHT_BINARY_LOOP(u / v) break;
    case kSquaredDiff: LISHT_BINARY_LOOP((u - v) * (u - v)) break;
  }
}

// rows x m outputs where one operand holds one value per row (shape [.., 1] against [.., m]):
// o = a op s[r] (or s[r] op a when scalar_first).
LISHT_SIMD void binary_per_row(int op, const float* a, const float* s, bool scalar_first, float* o, int64_t rows, int64_t m) {
#define LISHT_ROW_LOOP(EXPR)                               \
  for (int64_t r = 0; r < rows; ++r) {                     \
    const float* __restrict pa = a + r * m;                \
    float* __restrict po = o + r * m;                      \
    const float sv = s[r];                                 \
    for (int64_t j = 0; j < m; ++j) {                      \
      float u = scalar_first ? sv : pa[j];                 \
      float v = scalar_first ? pa[j] : sv;                 \
      po[j] = (EXPR);                                      \
    }                                                      \
  }
  switch (op) {
    case kAdd: LISHT_ROW_LOOP(u + v) break;
    case kSub: LISHT_ROW_LOOP(u - v) break;
    case kMul: LISHT_ROW_LOOP(u * v) break;
    case kDiv: LISHT_ROW_LOOP(u / v) break;
    case kSquaredDiff: LISHT_ROW_LOOP((u - v) * (u - v)) break;
  }
#undef LISHT_ROW_LOOP
}

// A scalar operand: o = a op s (or s op a when scalar_first).
LISHT_SIMD void binary_scalar(int op, const float* a, float s, bool scalar_first, float* o, int64_t n) {
  const float* __restrict pa = a;
  float* __restrict po = o;
#define LISHT_SCALAR_LOOP(EXPR)                   \
  for (int64_t i = 0; i < n; ++i) {               \
    float u = scalar_first ? s : pa[i];           \
    float v = scalar_first ? pa[i] : s;           \
    po[i] = (EXPR);                               \
  }
  switch (op) {
    case kAdd: LISHT_SCALAR_LOOP(u + v) break;
    case kSub: LISHT_SCALAR_LOOP(u - v) break;
    case kMul: LISHT_SCALAR_LOOP(u * v) break;
    case kDiv: LISHT_SCALAR_LOOP(u / v) break;
    case kSquaredDiff: LISHT_SCALAR_LOOP((u - v) * (u - v)) break;
  }
#undef LISHT_SCALAR_LOOP
}

LISHT_SIMD void unary_range(int op, float alpha, const float* x, float* y, int64_t n) {
  const float* __restrict px = x;
  float* __restrict py = y;
  switch (op) {
    case kRelu:  // Math.max(0, x): NaN stays NaN, -0 becomes +0
      for (int64_t i = 0; i < n; ++i) py[i] = (px[i] > 0.0f || px[i] != px[i]) ? px[i] : 0.0f;
      break;
    case kStep:
      for (int64_t i = 0; i < n; ++i) py[i] = px[i] != px[i] ? px[i] : (px[i] > 0.0f ? 1.0f : alpha);
      break;
    case kSquare:
      for (int64_t i = 0; i < n; ++i) py[i] = px[i] * px[i];
      break;
    case kSqrt:
      for (int64_t i = 0; i < n; ++i) py[i] = std::sqrt(px[i]);
      break;
    case kNeg:
      for (int64_t i = 0; i < n; ++i) py[i] = -px[i];
      break;
    case kAbs:
      for (int64_t i = 0; i < n; ++i) py[i] = std::fabs(px[i]);
      break;
    case kReciprocal:
      for (int64_t i = 0; i < n; ++i) py[i] = 1.0f / px[i];
      break;
    case kTanh:
      map_vectors([](vf v) LISHT_LAMBDA_INLINE { return tanh_v(v); }, px, py, n);
      break;
    case kSigmoid:
      map_vectors([](vf v) LISHT_LAMBDA_INLINE { return sigmoid_v(v); }, px, py, n);
      break;
  }
}

LISHT_SIMD void lisht_fwd_range(const float* x, float* y, int64_t n) {
  map_vectors([](vf v) LISHT_LAMBDA_INLINE { return lisht_fwd(v); }, x, y, n);
}

LISHT_SIMD void lisht_bwd_range(const float* dy, const float* x, float* dx, int64_t n) {
  map_vectors2([](vf d, vf v) LISHT_LAMBDA_INLINE { return lisht_bwd(d, v); }, dy, x, dx, n);
}


// binary(op, a, b, out, perRow = false): out.length = max(a.length, b.length); the shorter
// operand has length 1 (a scalar), or repeats along the leading axes (its length divides
// out.length), or, with perRow, holds one value per block of out.length / its length outputs.
Napi::Value Binary(const Napi::CallbackInfo& info) {
  int op = static_cast<int>(i64(info[0]));
  const bool per_row = info.Length() > 4 && info[4].ToBoolean();
  const float* a = f32(info[1], "a");
  const float* b = f32(info[2], "b");
  float* o = f32(info[3], "out");
  int64_t na = f32_len(info[1]), nb = f32_len(info[2]), n = f32_len(info[3]);
  if (op < kAdd || op > kSquaredDiff) throw Napi::RangeError::New(info.Env(), "unknown binary op");
  if ((na != n && (na == 0 || n % na != 0)) || (nb != n && (nb == 0 || n % nb != 0)) || (na != n && nb != n)) {
    throw Napi::RangeError::New(info.Env(), "binary: operand lengths do not broadcast to the output");
  }
  if (na == 1 && n != 1) {
    float s = a[0];
    parallel_ranges(n, kMinCheapPerThread, [&](int64_t s0, int64_t e) { binary_scalar(op, b + s0, s, true, o + s0, e - s0); });
  } else if (nb == 1 && n != 1) {
    float s = b[0];
    parallel_ranges(n, kMinCheapPerThread, [&](int64_t s0, int64_t e) { binary_scalar(op, a + s0, s, false, o + s0, e - s0); });
  } else if (per_row && (na != n || nb != n)) {
    const bool a_small = na != n;
    const int64_t rows = a_small ? na : nb, m = n / rows;
    const float* big = a_small ? b : a;
    const float* small = a_small ? a : b;
    parallel_ranges(rows, std::max<int64_t>(1, kMinCheapPerThread / m), [&](int64_t r0, int64_t r1) {
      binary_per_row(op, big + r0 * m, small + r0, a_small, o + r0 * m, r1 - r0, m);
    });
  } else if (na == n && nb == n) {
    parallel_ranges(n, kMinCheapPerThread, [&](int64_t s0, int64_t e) { binary_rows(op, a + s0, false, b + s0, false, o + s0, 1, e - s0); });
  } else {
    bool a_rep = na != n;
    int64_t m = a_rep ? na : nb, rows = n / m;
    parallel_ranges(rows, std::max<int64_t>(1, kMinCheapPerThread / m), [&](int64_t r0, int64_t r1) {
      binary_rows(op, a_rep ? a : a + r0 * m, a_rep, a_rep ? b + r0 * m : b, !a_rep, o + r0 * m, r1 - r0, m);
    });
  }
  return info.Env().Undefined();
}

// unary(op, x, y, alpha)
Napi::Value Unary(const Napi::CallbackInfo& info) {
  int op = static_cast<int>(i64(info[0]));
  const float* x = f32(info[1], "x");
  float* y = f32(info[2], "y");
  float alpha = info.Length() > 3 && info[3].IsNumber() ? info[3].As<Napi::Number>().FloatValue() : 0.0f;
  int64_t n = f32_len(info[1]);
  if (f32_len(info[2]) != n) throw Napi::RangeError::New(info.Env(), "unary: x and y lengths differ");
  if (op < kRelu || op > kSigmoid) throw Napi::RangeError::New(info.Env(), "unknown unary op");
  const int64_t grain = op >= kTanh ? kMinTranscendentalPerThread : kMinCheapPerThread;
  parallel_ranges(n, grain, [&](int64_t s, int64_t e) { unary_range(op, alpha, x + s, y + s, e - s); });
  return info.Env().Undefined();
}

// lisht(x, y): y = x tanh(x)
Napi::Value Lisht(const Napi::CallbackInfo& info) {
  const float* x = f32(info[0], "x");
  float* y = f32(info[1], "y");
  int64_t n = f32_len(info[0]);
  if (f32_len(info[1]) != n) throw Napi::RangeError::New(info.Env(), "lisht: x and y lengths differ");
  parallel_ranges(n, kMinTranscendentalPerThread, [&](int64_t s, int64_t e) { lisht_fwd_range(x + s, y + s, e - s); });
  return info.Env().Undefined();
}

// lishtGrad(dy, x, dx): dx = dy (tanh(x) + x sech^2(x))
Napi::Value LishtGrad(const Napi::CallbackInfo& info) {
  const float* dy = f32(info[0], "dy");
  const float* x = f32(info[1], "x");
  float* dx = f32(info[2], "dx");
  int64_t n = f32_len(info[1]);
  if (f32_len(info[0]) != n || f32_len(info[2]) != n) throw Napi::RangeError::New(info.Env(), "lishtGrad: lengths differ");
  parallel_ranges(n, kMinTranscendentalPerThread, [&](int64_t s, int64_t e) { lisht_bwd_range(dy + s, x + s, dx + s, e - s); });
  return info.Env().Undefined();
}

// Softmax over rows of `cols` values, in TF.js's cpu order: x - max, exp, sum (in double), divide.
void softmax_rows(const float* x, float* y, int64_t rows, int64_t cols) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* px = x + r * cols;
    float* py = y + r * cols;
    float m = -INFINITY;
    for (int64_t j = 0; j < cols; ++j) m = (px[j] > m || px[j] != px[j]) ? px[j] : m;  // NaN wins, as in Max
    double sum = 0;
    for (int64_t j = 0; j < cols; ++j) {
      py[j] = static_cast<float>(std::exp(static_cast<double>(px[j] - m)));
      sum += py[j];
    }
    const double s = static_cast<float>(sum);
    for (int64_t j = 0; j < cols; ++j) py[j] = static_cast<float>(py[j] / s);
  }
}

// softmax(x, y, cols)
Napi::Value Softmax(const Napi::CallbackInfo& info) {
  const float* x = f32(info[0], "logits");
  float* y = f32(info[1], "y");
  int64_t n = f32_len(info[0]), cols = i64(info[2]);
  if (cols < 1 || n % cols != 0 || f32_len(info[1]) != n) throw Napi::RangeError::New(info.Env(), "softmax: sizes do not match");
  parallel_ranges(n / cols, std::max<int64_t>(1, kMinExpPerThread / cols), [&](int64_t r0, int64_t r1) { softmax_rows(x + r0 * cols, y + r0 * cols, r1 - r0, cols); });
  return info.Env().Undefined();
}

}  // namespace

void RegisterEltwise(Napi::Env env, Napi::Object exports) {
  exports.Set("binary", Napi::Function::New(env, Binary));
  exports.Set("unary", Napi::Function::New(env, Unary));
  exports.Set("lisht", Napi::Function::New(env, Lisht));
  exports.Set("lishtGrad", Napi::Function::New(env, LishtGrad));
  exports.Set("softmax", Napi::Function::New(env, Softmax));
}

}  // namespace lisht
