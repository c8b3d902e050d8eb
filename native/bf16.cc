#include "bf16.h"

#include <immintrin.h>

#include <cstdlib>
#include <cstring>
#include <vector>

#include "common.h"
#include "dnnl_context.h"

namespace lisht {
namespace {

bool g_enabled = false;
bool g_simulate_no_bf16 = false;

// Round to nearest even on the upper 16 bits; NaN is forced quiet so truncation cannot turn it
// into an infinity.
inline uint16_t round_bf16(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((u >> 16) | 0x40);
  u += 0x7fffu + ((u >> 16) & 1u);
  return static_cast<uint16_t>(u >> 16);
}

void to_bf16_scalar(const float* x, uint16_t* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] = round_bf16(x[i]);
}

#if defined(__x86_64__) && defined(__GNUC__)
// 32 values per instruction; same rounding and NaN rule as round_bf16 (Intel SDM, VCVTNE2PS2BF16).
__attribute__((target("avx512f,avx512bw,avx512bf16"))) void to_bf16_avx512(const float* x, uint16_t* dst, int64_t n) {
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    __m512 lo = _mm512_loadu_ps(x + i), hi = _mm512_loadu_ps(x + i + 16);
    _mm512_storeu_si512(dst + i, (__m512i)_mm512_cvtne2ps_pbh(hi, lo));
  }
  to_bf16_scalar(x + i, dst + i, n - i);
}
#define LISHT_HAVE_BF16_INTRINSICS 1
#endif

std::vector<uint16_t> g_scratch[4];

}  // namespace

bool bf16_enabled() { return g_enabled; }
void set_bf16_enabled(bool on) { g_enabled = on; }

bool bf16_native() {
  // The ISA values are bit sets, each including the ones below it.
  static const bool native = !g_simulate_no_bf16 && (static_cast<unsigned>(dnnl::get_effective_cpu_isa()) & dnnl_cpu_isa_avx512_core_bf16) ==
                                                        static_cast<unsigned>(dnnl_cpu_isa_avx512_core_bf16);
  return native;
}

void init_bf16_from_env() {
  const char* v = std::getenv("LISHT_SIMULATE_NO_BF16");
  if (v && std::strcmp(v, "1") == 0) {
    g_simulate_no_bf16 = true;
    // Before any primitive exists (oneDNN accepts it only then): oneDNN then emulates bf16 with
    // AVX-512 integer ops, as on a CPU without AVX512-BF16.
    try {
      dnnl::set_max_cpu_isa(dnnl::cpu_isa::avx512_core_vnni);
    } catch (const dnnl::error&) {
    }
  }
}

void to_bf16(const float* x, uint16_t* dst, int64_t n) {
  parallel_ranges(n, kMinCheapPerThread, [&](int64_t b, int64_t e) {
#ifdef LISHT_HAVE_BF16_INTRINSICS
    if (bf16_native()) {
      to_bf16_avx512(x + b, dst + b, e - b);
      return;
    }
#endif
    to_bf16_scalar(x + b, dst + b, e - b);
  });
}

uint16_t* bf16_scratch(int slot, int64_t n) {
  std::vector<uint16_t>& v = g_scratch[slot];
  if (static_cast<int64_t>(v.size()) < n) v.resize(static_cast<size_t>(n));
  return v.data();
}

dnnl::memory bf16_operand(const dnnl::memory::desc& md, float* data, int slot) {
  if (md.data_type() != dnnl::memory::data_type::bf16) return dnnl::memory(md, cpu_engine(), data);
  int64_t n = static_cast<int64_t>(md.get_size() / 2);
  uint16_t* b = bf16_scratch(slot, n);
  to_bf16(data, b, n);
  return dnnl::memory(md, cpu_engine(), b);
}

namespace {

// setPrecision(bf16: boolean)
Napi::Value SetPrecision(const Napi::CallbackInfo& info) {
  set_bf16_enabled(info[0].ToBoolean());
  return info.Env().Undefined();
}

// bf16Support(): {native, cpuFlag}: whether oneDNN runs bf16 in hardware here, and whether
// cpuid reports avx512_bf16 (the two differ under LISHT_SIMULATE_NO_BF16 or an old oneDNN).
Napi::Value Bf16Support(const Napi::CallbackInfo& info) {
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("native", bf16_native());
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  o.Set("cpuFlag", __builtin_cpu_supports("avx512bf16") && !g_simulate_no_bf16);
#else
  o.Set("cpuFlag", false);
#endif
  return o;
}

// toBf16Roundtrip(x, y): y = float(bf16(x)), the rounding the bf16 kernels apply to operands
// (for tests of special values).
Napi::Value ToBf16Roundtrip(const Napi::CallbackInfo& info) {
  const float* x = f32(info[0], "x");
  float* y = f32(info[1], "y");
  int64_t n = f32_len(info[0]);
  if (f32_len(info[1]) != n) throw Napi::RangeError::New(info.Env(), "toBf16Roundtrip: x and y differ in length");
  uint16_t* b = bf16_scratch(3, n);
  to_bf16(x, b, n);
  for (int64_t i = 0; i < n; ++i) {
    uint32_t u = static_cast<uint32_t>(b[i]) << 16;
    std::memcpy(y + i, &u, 4);
  }
  return info.Env().Undefined();
}

}  // namespace

void RegisterBf16(Napi::Env env, Napi::Object exports) {
  exports.Set("setPrecision", Napi::Function::New(env, SetPrecision));
  exports.Set("bf16Support", Napi::Function::New(env, Bf16Support));
  exports.Set("toBf16Roundtrip", Napi::Function::New(env, ToBf16Roundtrip));
}

}  // namespace lisht
