// Shared helpers for the addon's kernel families: argument unpacking, threading, and the
// instruction-set dispatch attribute for hand-vectorised loops.
#pragma once

#include <napi.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

// Each hot loop is compiled three times (AVX-512, AVX2+FMA, baseline) and picked at load time,
// so one binary runs at full width on the build machine and still runs on an older one.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define LISHT_SIMD __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define LISHT_SIMD
#endif

namespace lisht {

// The Float32Array's storage, in place (no copy). Throws a JS TypeError for anything else.
inline float* f32(const Napi::Value& v, const char* what) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    throw Napi::TypeError::New(v.Env(), std::string(what) + " must be a Float32Array");
  }
  return v.As<Napi::Float32Array>().Data();
}

inline int64_t f32_len(const Napi::Value& v) { return static_cast<int64_t>(v.As<Napi::Float32Array>().ElementLength()); }

// Like f32, but null/undefined give nullptr (optional inputs such as a bias).
inline float* f32_opt(const Napi::Value& v, const char* what) {
  return v.IsNull() || v.IsUndefined() ? nullptr : f32(v, what);
}

inline int64_t i64(const Napi::Value& v) { return v.As<Napi::Number>().Int64Value(); }

// When to use more than one thread. The pool threads sleep between kernels (the addon sets
// OpenMP's passive wait policy, see src/backends/native/addon.ts), and waking one costs tens of
// microseconds: about 45 us on the project's 2-core virtual machine, where element-wise kernels
// of 10^4-10^5 elements ran 3-10x slower on two threads than on one. A thread is therefore
// added only for every ~50 us of one-thread work, by each kernel's cost per element (measured
// there, AVX-512): ~0.1 ns for memory-bound arithmetic, ~0.3 ns for the ones with a
// transcendental function, ~4 ns for a double-precision exp; matrix products ~250 GFLOP/s.
constexpr int64_t kMinCheapPerThread = 1 << 19;
constexpr int64_t kMinTranscendentalPerThread = 1 << 17;
constexpr int64_t kMinExpPerThread = 1 << 14;
constexpr double kMinFlopsPerThread = 16e6;

// Threads for a oneDNN call of `flops` floating-point operations: one per kMinFlopsPerThread.
inline int threads_for_flops(double flops) {
  return static_cast<int>(std::clamp<double>(std::floor(flops / kMinFlopsPerThread), 1, omp_get_max_threads()));
}

// Limits the OpenMP threads of the calling thread's parallel regions (oneDNN's included, at
// primitive creation and execution) for the guard's lifetime.
class ThreadLimit {
 public:
  explicit ThreadLimit(int threads) : saved_(omp_get_max_threads()) {
    if (threads < saved_) omp_set_num_threads(threads);
  }
  ~ThreadLimit() { omp_set_num_threads(saved_); }
  ThreadLimit(const ThreadLimit&) = delete;
  ThreadLimit& operator=(const ThreadLimit&) = delete;

 private:
  int saved_;
};

// Splits [0, n) into one contiguous range per thread (fewer when there is too little work to
// pay for waking threads) and runs body(begin, end) on each.
template <class F>
void parallel_ranges(int64_t n, int64_t min_per_thread, F&& body) {
  int64_t by_work = std::max<int64_t>(1, n / std::max<int64_t>(1, min_per_thread));
  int nt = static_cast<int>(std::min<int64_t>(omp_get_max_threads(), by_work));
  if (nt <= 1) {
    body(int64_t{0}, n);
    return;
  }
#pragma omp parallel num_threads(nt)
  {
    // OpenMP may grant fewer threads than asked (OMP_DYNAMIC, thread limits): split by what we got.
    int t = omp_get_thread_num(), got = omp_get_num_threads();
    int64_t begin = n * t / got, end = n * (t + 1) / got;
    body(begin, end);
  }
}

void RegisterConv(Napi::Env env, Napi::Object exports);
void RegisterBatch(Napi::Env env, Napi::Object exports);
void RegisterPool(Napi::Env env, Napi::Object exports);
void RegisterMatmul(Napi::Env env, Napi::Object exports);
void RegisterEltwise(Napi::Env env, Napi::Object exports);
void RegisterReduce(Napi::Env env, Napi::Object exports);
void RegisterPeak(Napi::Env env, Napi::Object exports);
void RegisterOptim(Napi::Env env, Napi::Object exports);
void RegisterBatchNorm(Napi::Env env, Napi::Object exports);
void RegisterBf16(Napi::Env env, Napi::Object exports);


}  // namespace lisht
