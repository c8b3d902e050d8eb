// Entry point of the `lisht_native` addon: TF.js kernels on oneDNN and hand-vectorised loops.
// Threads: LISHT_NUM_THREADS if set, else OpenMP's default (all cores); oneDNN and the
// addon's own loops share the one OpenMP pool.
#include <cstdlib>

#include "bf16.h"
#include "common.h"
#include "dnnl_context.h"

namespace lisht {
namespace {

int threads_from_env() {
  const char* v = std::getenv("LISHT_NUM_THREADS");
  if (!v || !*v) return 0;
  char* end = nullptr;
  long n = std::strtol(v, &end, 10);
  return (*end == '\0' && n > 0 && n <= 4096) ? static_cast<int>(n) : 0;
}

Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  int64_t n = i64(info[0]);
  if (n < 1) throw Napi::RangeError::New(info.Env(), "thread count must be at least 1");
  omp_set_num_threads(static_cast<int>(n));
  return info.Env().Undefined();
}

Napi::Value GetNumThreads(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), omp_get_max_threads()); }

const char* isa_name(dnnl::cpu_isa isa) {
  switch (isa) {
    case dnnl::cpu_isa::sse41: return "sse41";
    case dnnl::cpu_isa::avx: return "avx";
    case dnnl::cpu_isa::avx2: return "avx2";
    case dnnl::cpu_isa::avx2_vnni: return "avx2_vnni";
    case dnnl::cpu_isa::avx512_core: return "avx512_core";
    case dnnl::cpu_isa::avx512_core_vnni: return "avx512_core_vnni";
    case dnnl::cpu_isa::avx512_core_bf16: return "avx512_core_bf16";
    case dnnl::cpu_isa::avx512_core_amx: return "avx512_core_amx";
    default: return "other";
  }
}

// info(): {dnnl: "2.6.3", isa, threads}
Napi::Value Info(const Napi::CallbackInfo& info) {
  const dnnl_version_t* v = dnnl_version();
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("dnnl", std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch));
  o.Set("isa", isa_name(dnnl::get_effective_cpu_isa()));
  o.Set("threads", omp_get_max_threads());
  return o;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  if (int n = threads_from_env()) omp_set_num_threads(n);
  init_bf16_from_env();
  // oneDNN's kernels synchronise the team they ask for; OMP_DYNAMIC=true can hand them a
  // smaller one and they never finish.
  omp_set_dynamic(0);
  exports.Set("setNumThreads", Napi::Function::New(env, SetNumThreads));
  exports.Set("getNumThreads", Napi::Function::New(env, GetNumThreads));
  exports.Set("info", Napi::Function::New(env, Info));
  RegisterConv(env, exports);
  RegisterBatch(env, exports);
  RegisterPool(env, exports);
  RegisterMatmul(env, exports);
  RegisterEltwise(env, exports);
  RegisterReduce(env, exports);
  RegisterPeak(env, exports);
  RegisterOptim(env, exports);
  RegisterBatchNorm(env, exports);
  RegisterBf16(env, exports);
  return exports;
}

}  // namespace
}  // namespace lisht

static Napi::Object InitLishtNative(Napi::Env env, Napi::Object exports) { return lisht::Init(env, exports); }
NODE_API_MODULE(lisht_native, InitLishtNative)
