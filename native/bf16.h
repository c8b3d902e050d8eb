// Mixed precision (bfloat16) for the convolutions and matrix products: the process-wide
// precision the JS policy sets, whether this CPU runs bf16 in hardware, and the f32 -> bf16
// conversion of operands. TF.js only ever sees float32: conversions happen inside the kernels.
#pragma once

#include <cstdint>
#include <dnnl.hpp>
#include <string>

namespace lisht {

// Set by setPrecision() from the JS policy (src/backends/native/precision.ts).
bool bf16_enabled();

// oneDNN's effective ISA has AVX512-BF16 (avx512_core_bf16 or above). LISHT_SIMULATE_NO_BF16=1
// caps oneDNN below it at load time, so this is false, as on a CPU without the instructions.
bool bf16_native();

// dst[i] = x[i] rounded to nearest-even bf16 (NaN stays NaN, quiet; +-Inf and +-0 exact),
// over the OpenMP pool; AVX512-BF16's vcvtne2ps2bf16 where bf16_native().
void to_bf16(const float* x, uint16_t* dst, int64_t n);

// A growable scratch buffer of bf16 values, one per operand role, reused across calls (the JS
// thread calls kernels one at a time).
uint16_t* bf16_scratch(int slot, int64_t n);

void init_bf16_from_env();

// A bf16 primitive is worth it only as a JIT kernel: oneDNN's reference ones are many times
// slower than its fp32 JIT kernels, so such a shape stays fp32 (conv2dImpl shows which).
inline bool usable_bf16(const std::string& impl) { return impl.find("ref") == std::string::npos; }

// The bf16 entry when the policy asks for bf16 and get(true) has one (non-null), else get(false).
template <class Get>
auto pick_precision(Get&& get) -> decltype(get(false)) {
  if (bf16_enabled()) {
    if (auto* e = get(true)) return e;
  }
  return get(false);
}

// The caller's float32 array bound to `md`: as-is for f32, else converted to bf16 into
// scratch `slot` (md's layout may be strided; its byte size / 2 elements are converted, so it
// must describe a dense array of the caller's element count).
dnnl::memory bf16_operand(const dnnl::memory::desc& md, float* data, int slot);

}  // namespace lisht
