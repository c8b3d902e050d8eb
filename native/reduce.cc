// Sums over the leading axes (a bias gradient: per channel over N*H*W) or the trailing axes
// (per row), accumulated in double like the TF.js cpu backend so cancelling gradients keep
// their precision.
#include <vector>

#include "common.h"

namespace lisht {
namespace {

LISHT_SIMD void add_rows_into(double* __restrict acc, const float* __restrict x, int64_t rows, int64_t cols) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* __restrict p = x + r * cols;
    for (int64_t j = 0; j < cols; ++j) acc[j] += p[j];
  }
}

LISHT_SIMD double sum_range(const float* __restrict x, int64_t n) {
  double lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int k = 0; k < 8; ++k) lanes[k] += x[i + k];
  double s = 0;
  for (int k = 0; k < 8; ++k) s += lanes[k];
  for (; i < n; ++i) s += x[i];
  return s;
}

// sumLeading(x, out): out[j] = sum_i x[i * out.length + j]
Napi::Value SumLeading(const Napi::CallbackInfo& info) {
  const float* x = f32(info[0], "x");
  float* out = f32(info[1], "out");
  int64_t n = f32_len(info[0]), cols = f32_len(info[1]);
  if (cols == 0 || n % cols != 0) throw Napi::RangeError::New(info.Env(), "sumLeading: out length must divide x length");
  int64_t rows = n / cols;
  // One partial row per possible thread (parallel_ranges uses at most omp_get_max_threads()).
  const int nt = omp_get_max_threads();
  std::vector<double> partial(static_cast<size_t>(nt) * cols, 0.0);
  parallel_ranges(rows, std::max<int64_t>(1, kMinCheapPerThread / cols), [&](int64_t r0, int64_t r1) {
    int t = omp_in_parallel() ? omp_get_thread_num() : 0;
    add_rows_into(partial.data() + t * cols, x + r0 * cols, r1 - r0, cols);
  });
  for (int64_t j = 0; j < cols; ++j) {
    double s = 0;
    for (int t = 0; t < nt; ++t) s += partial[t * cols + j];
    out[j] = static_cast<float>(s);
  }
  return info.Env().Undefined();
}

// sumTrailing(x, out): out[i] = sum_j x[i * (x.length / out.length) + j]
Napi::Value SumTrailing(const Napi::CallbackInfo& info) {
  const float* x = f32(info[0], "x");
  float* out = f32(info[1], "out");
  int64_t n = f32_len(info[0]), rows = f32_len(info[1]);
  if (rows == 0 || n % rows != 0) throw Napi::RangeError::New(info.Env(), "sumTrailing: out length must divide x length");
  int64_t cols = n / rows;
  if (rows >= omp_get_max_threads() || n < 2 * kMinCheapPerThread) {
    parallel_ranges(rows, std::max<int64_t>(1, kMinCheapPerThread / cols), [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) out[r] = static_cast<float>(sum_range(x + r * cols, cols));
    });
  } else {
    for (int64_t r = 0; r < rows; ++r) {
      std::vector<double> part(omp_get_max_threads(), 0.0);
      parallel_ranges(cols, kMinCheapPerThread, [&](int64_t c0, int64_t c1) {
        part[omp_in_parallel() ? omp_get_thread_num() : 0] = sum_range(x + r * cols + c0, c1 - c0);
      });
      double s = 0;
      for (double p : part) s += p;
      out[r] = static_cast<float>(s);
    }
  }
  return info.Env().Undefined();
}

}  // namespace

void RegisterReduce(Napi::Env env, Napi::Object exports) {
  exports.Set("sumLeading", Napi::Function::New(env, SumLeading));
  exports.Set("sumTrailing", Napi::Function::New(env, SumTrailing));
}

}  // namespace lisht
