// A measured peak: the FP32 multiply-add rate all threads reach on register-resident data,
// the denominator of the benchmark's "fraction of peak" (no spec sheet covers every CPU the
// addon may run on).
#include <chrono>

#include "common.h"
#include "vmath.h"

namespace lisht {
namespace {

// Ten independent chains of 16-lane FMAs: enough in flight to cover FMA latency on two ports.
LISHT_SIMD float fma_chains(int64_t iterations, float seed) {
  vf a0 = splat(seed), a1 = a0 + 1, a2 = a0 + 2, a3 = a0 + 3, a4 = a0 + 4, a5 = a0 + 5, a6 = a0 + 6, a7 = a0 + 7, a8 = a0 + 8, a9 = a0 + 9;
  const vf m = splat(0.999999f), c = splat(1e-7f);
  for (int64_t i = 0; i < iterations; ++i) {
    a0 = a0 * m + c; a1 = a1 * m + c; a2 = a2 * m + c; a3 = a3 * m + c; a4 = a4 * m + c;
    a5 = a5 * m + c; a6 = a6 * m + c; a7 = a7 * m + c; a8 = a8 * m + c; a9 = a9 * m + c;
  }
  vf s = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9;
  return s[0];
}

// measurePeakGflops(iterations = 2e7, threads = all): GFLOP/s over `threads` threads (2 FLOP
// per lane per FMA).
Napi::Value MeasurePeakGflops(const Napi::CallbackInfo& info) {
  int64_t iters = info.Length() > 0 && info[0].IsNumber() ? i64(info[0]) : 20000000;
  int nt = info.Length() > 1 && info[1].IsNumber() ? static_cast<int>(i64(info[1])) : omp_get_max_threads();
  if (iters < 1 || nt < 1) throw Napi::RangeError::New(info.Env(), "measurePeakGflops: iterations and threads must be positive");
  float sink = 0;
  fma_chains(iters / 10, 1.0f);  // warm the clocks up
  auto t0 = std::chrono::steady_clock::now();
#pragma omp parallel num_threads(nt) reduction(+ : sink)
  sink += fma_chains(iters, static_cast<float>(omp_get_thread_num()));
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double flops = 2.0 * kLanes * 10 * static_cast<double>(iters) * nt;
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("gflops", flops / s / 1e9);
  o.Set("threads", nt);
  o.Set("check", sink);
  return o;
}

}  // namespace

void RegisterPeak(Napi::Env env, Napi::Object exports) { exports.Set("measurePeakGflops", Napi::Function::New(env, MeasurePeakGflops)); }

}  // namespace lisht
