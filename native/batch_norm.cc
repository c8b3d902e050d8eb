// Batch normalisation over the last axis (channels-last), the passes a training step needs:
// per-channel statistics, the per-channel map y = (x - center) * scale + shift (forward, and
// the inference form), the two per-channel sums of the backward pass, and the backward map
// dx = a * dy + p * (x - center) + q. Centering first keeps the precision of values near the
// mean. Sums accumulate in double, one partial row per thread.
#include <vector>

#include "common.h"

namespace lisht {
namespace {

// Rows of c channels per thread: each pass costs about what a transcendental function does
// per element (double accumulation, or several reads per output).
inline int64_t rows_per_thread(int64_t c) { return std::max<int64_t>(1, kMinTranscendentalPerThread / std::max<int64_t>(1, c)); }

// Per-thread partial sums over rows of [rows, c], combined in thread order (deterministic for
// a given thread count). body(r0, r1, acc) adds rows [r0, r1) into acc (k arrays of c).
template <class F>
void channel_sums(int64_t rows, int64_t c, int k, double* out, F&& body) {
  const int nt = omp_get_max_threads();
  std::vector<double> partial(static_cast<size_t>(nt) * k * c, 0.0);
  parallel_ranges(rows, rows_per_thread(c), [&](int64_t r0, int64_t r1) {
    int t = omp_in_parallel() ? omp_get_thread_num() : 0;
    body(r0, r1, partial.data() + static_cast<size_t>(t) * k * c);
  });
  std::fill(out, out + k * c, 0.0);
  for (int t = 0; t < nt; ++t)
    for (int64_t j = 0; j < k * c; ++j) out[j] += partial[static_cast<size_t>(t) * k * c + j];
}

LISHT_SIMD void add_rows(const float* __restrict x, int64_t r0, int64_t r1, int64_t c, double* __restrict acc) {
  for (int64_t r = r0; r < r1; ++r)
    for (int64_t j = 0; j < c; ++j) acc[j] += x[r * c + j];
}

LISHT_SIMD void add_squared_deviations(const float* __restrict x, const double* __restrict mean, int64_t r0, int64_t r1, int64_t c,
                                       double* __restrict acc) {
  for (int64_t r = r0; r < r1; ++r)
    for (int64_t j = 0; j < c; ++j) {
      double d = x[r * c + j] - mean[j];
      acc[j] += d * d;
    }
}

// acc[0..c) += dy, acc[c..2c) += dy * (x - mean) * invstd
LISHT_SIMD void add_grad_sums(const float* __restrict dy, const float* __restrict x, const float* __restrict mean,
                              const float* __restrict invstd, int64_t r0, int64_t r1, int64_t c, double* __restrict acc) {
  for (int64_t r = r0; r < r1; ++r)
    for (int64_t j = 0; j < c; ++j) {
      float g = dy[r * c + j];
      acc[j] += g;
      acc[c + j] += g * ((x[r * c + j] - mean[j]) * invstd[j]);
    }
}

LISHT_SIMD void affine_rows(const float* __restrict x, const float* __restrict center, const float* __restrict scale,
                            const float* __restrict shift, float* __restrict y, int64_t r0, int64_t r1, int64_t c) {
  for (int64_t r = r0; r < r1; ++r)
    for (int64_t j = 0; j < c; ++j) y[r * c + j] = (x[r * c + j] - center[j]) * scale[j] + shift[j];
}

LISHT_SIMD void backward_rows(const float* __restrict dy, const float* __restrict x, const float* __restrict center, const float* __restrict a,
                              const float* __restrict p, const float* __restrict q, float* __restrict dx, int64_t r0, int64_t r1, int64_t c) {
  for (int64_t r = r0; r < r1; ++r)
    for (int64_t j = 0; j < c; ++j) dx[r * c + j] = a[j] * dy[r * c + j] + p[j] * (x[r * c + j] - center[j]) + q[j];
}

int64_t rows_of(const Napi::CallbackInfo& info, int64_t n, int64_t c, const char* what) {
  if (c <= 0 || n % c != 0) throw Napi::RangeError::New(info.Env(), std::string(what) + ": per-channel length must divide the tensor's");
  return n / c;
}

// batchNormStats(x, mean, variance): per channel (last axis), the mean and the biased variance,
// the latter about the mean (two passes), both rounded from double.
Napi::Value Stats(const Napi::CallbackInfo& info) {
  const float* x = f32(info[0], "x");
  float* mean = f32(info[1], "mean");
  float* var = f32(info[2], "variance");
  const int64_t c = f32_len(info[1]), rows = rows_of(info, f32_len(info[0]), c, "batchNormStats");
  if (f32_len(info[2]) != c) throw Napi::RangeError::New(info.Env(), "batchNormStats: mean and variance lengths differ");
  std::vector<double> m(c), v(c);
  channel_sums(rows, c, 1, m.data(), [&](int64_t r0, int64_t r1, double* acc) { add_rows(x, r0, r1, c, acc); });
  for (auto& s : m) s /= static_cast<double>(rows);
  channel_sums(rows, c, 1, v.data(), [&](int64_t r0, int64_t r1, double* acc) { add_squared_deviations(x, m.data(), r0, r1, c, acc); });
  for (int64_t j = 0; j < c; ++j) {
    mean[j] = static_cast<float>(m[j]);
    var[j] = static_cast<float>(v[j] / static_cast<double>(rows));
  }
  return info.Env().Undefined();
}

// batchNormAffine(x, center, scale, shift, y): y = (x - center) * scale + shift per channel.
Napi::Value Affine(const Napi::CallbackInfo& info) {
  const float* x = f32(info[0], "x");
  const float* center = f32(info[1], "center");
  const float* scale = f32(info[2], "scale");
  const float* shift = f32(info[3], "shift");
  float* y = f32(info[4], "y");
  const int64_t c = f32_len(info[1]), rows = rows_of(info, f32_len(info[0]), c, "batchNormAffine");
  if (f32_len(info[2]) != c || f32_len(info[3]) != c || f32_len(info[4]) != f32_len(info[0])) {
    throw Napi::RangeError::New(info.Env(), "batchNormAffine: lengths differ");
  }
  parallel_ranges(rows, rows_per_thread(c), [&](int64_t r0, int64_t r1) { affine_rows(x, center, scale, shift, y, r0, r1, c); });
  return info.Env().Undefined();
}

// batchNormGradSums(dy, x, mean, invstd, sums): sums[0..c) = sum(dy), sums[c..2c) = sum(dy * xhat).
Napi::Value GradSums(const Napi::CallbackInfo& info) {
  const float* dy = f32(info[0], "dy");
  const float* x = f32(info[1], "x");
  const float* mean = f32(info[2], "mean");
  const float* invstd = f32(info[3], "invstd");
  float* sums = f32(info[4], "sums");
  const int64_t c = f32_len(info[2]), rows = rows_of(info, f32_len(info[1]), c, "batchNormGradSums");
  if (f32_len(info[0]) != f32_len(info[1]) || f32_len(info[3]) != c || f32_len(info[4]) != 2 * c) {
    throw Napi::RangeError::New(info.Env(), "batchNormGradSums: lengths differ");
  }
  std::vector<double> acc(2 * c);
  channel_sums(rows, c, 2, acc.data(), [&](int64_t r0, int64_t r1, double* a) { add_grad_sums(dy, x, mean, invstd, r0, r1, c, a); });
  for (int64_t j = 0; j < 2 * c; ++j) sums[j] = static_cast<float>(acc[j]);
  return info.Env().Undefined();
}

// batchNormBackward(dy, x, center, a, p, q, dx): dx = a * dy + p * (x - center) + q per channel.
Napi::Value Backward(const Napi::CallbackInfo& info) {
  const float* dy = f32(info[0], "dy");
  const float* x = f32(info[1], "x");
  const float* center = f32(info[2], "center");
  const float* a = f32(info[3], "a");
  const float* p = f32(info[4], "p");
  const float* q = f32(info[5], "q");
  float* dx = f32(info[6], "dx");
  const int64_t c = f32_len(info[2]), rows = rows_of(info, f32_len(info[1]), c, "batchNormBackward");
  if (f32_len(info[0]) != f32_len(info[1]) || f32_len(info[6]) != f32_len(info[1]) || f32_len(info[3]) != c || f32_len(info[4]) != c ||
      f32_len(info[5]) != c) {
    throw Napi::RangeError::New(info.Env(), "batchNormBackward: lengths differ");
  }
  parallel_ranges(rows, rows_per_thread(c), [&](int64_t r0, int64_t r1) { backward_rows(dy, x, center, a, p, q, dx, r0, r1, c); });
  return info.Env().Undefined();
}

}  // namespace

void RegisterBatchNorm(Napi::Env env, Napi::Object exports) {
  exports.Set("batchNormStats", Napi::Function::New(env, Stats));
  exports.Set("batchNormAffine", Napi::Function::New(env, Affine));
  exports.Set("batchNormGradSums", Napi::Function::New(env, GradSums));
  exports.Set("batchNormBackward", Napi::Function::New(env, Backward));
}

}  // namespace lisht
