// Batched matrix products on oneDNN's matmul primitive (threaded inside oneDNN), with the
// optional bias row and ReLU of TF.js's _FusedMatMul fused as post-ops. Operands stay in the
// caller's row-major layout; a transposed operand is described by its strides, not copied.
// (oneDNN 2.6's dnnl_sgemm corrupted the heap in this project's dense-layer shapes on AVX-512;
// the primitive does not.)
#include <sstream>

#include "bf16.h"
#include "common.h"
#include "dnnl_context.h"

namespace lisht {
namespace {

using dnnl::memory;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

struct MatmulShape {
  int64_t batch_a, batch_b, m, n, k;
  bool ta, tb, bias;
  int act;
  bool bf16 = false;  // bf16 a and b, fp32 accumulation, bias and c

  std::string key() const {
    std::ostringstream s;
    s << batch_a << ',' << batch_b << ',' << m << ',' << n << ',' << k << ',' << ta << tb << bias << act << (bf16 ? "+bf16" : "");
    return s.str();
  }
  // A is [batch, m, k]; stored transposed it is [batch, k, m] in memory.
  memory::desc a() const { return {{batch_a, m, k}, bf16 ? dt::bf16 : dt::f32, ta ? tag::acb : tag::abc}; }
  memory::desc b() const { return {{batch_b, k, n}, bf16 ? dt::bf16 : dt::f32, tb ? tag::acb : tag::abc}; }
  memory::desc c() const { return {{std::max(batch_a, batch_b), m, n}, dt::f32, tag::abc}; }
  memory::desc bias_md() const { return {{1, 1, n}, dt::f32, tag::abc}; }
};

struct MatmulEntry {
  dnnl::matmul::primitive_desc pd;
  dnnl::matmul prim;
};

PrimitiveCache<MatmulEntry> cache;

MatmulEntry* get(const MatmulShape& s) {
  return cache.get(s.key(), [&]() -> std::unique_ptr<MatmulEntry> {
    auto e = std::make_unique<MatmulEntry>();
    auto d = s.bias ? dnnl::matmul::desc(s.a(), s.b(), s.bias_md(), s.c()) : dnnl::matmul::desc(s.a(), s.b(), s.c());
    dnnl::primitive_attr attr;
    if (s.act == 1) {
      dnnl::post_ops ops;
      ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
      attr.set_post_ops(ops);
    }
    try {
      e->pd = dnnl::matmul::primitive_desc(d, attr, cpu_engine());
    } catch (const dnnl::error& err) {
      if (s.bf16 && err.status == dnnl_unimplemented) return nullptr;
      throw;
    }
    if (s.bf16 && !usable_bf16(e->pd.impl_info_str())) return nullptr;
    e->prim = dnnl::matmul(e->pd);
    return e;
  });
}

// With the bf16 policy, a and b are rounded to bf16 (fp32 accumulation and output).
// matmul(a, b, c, batchA, batchB, m, n, k, transA, transB, bias|null, act): for each batch
// i < max(batchA, batchB), c[i] = op(a[i or 0]) x op(b[i or 0]) (+ bias over columns, ReLU if act = 1).
Napi::Value Matmul(const Napi::CallbackInfo& info) {
  float* a = f32(info[0], "a");
  float* b = f32(info[1], "b");
  float* c = f32(info[2], "c");
  MatmulShape s{i64(info[3]), i64(info[4]), i64(info[5]), i64(info[6]), i64(info[7]), info[8].ToBoolean(), info[9].ToBoolean(), false, 0};
  float* bias = f32_opt(info[10], "bias");
  s.bias = bias != nullptr;
  s.act = static_cast<int>(i64(info[11]));
  int64_t batch = std::max(s.batch_a, s.batch_b);
  if (s.m < 1 || s.n < 1 || s.k < 1 || s.batch_a < 1 || s.batch_b < 1 || f32_len(info[0]) != s.batch_a * s.m * s.k ||
      f32_len(info[1]) != s.batch_b * s.k * s.n || f32_len(info[2]) != batch * s.m * s.n || (s.batch_a != batch && s.batch_a != 1) ||
      (s.batch_b != batch && s.batch_b != 1) || (bias && f32_len(info[10]) != s.n) || s.act < 0 || s.act > 1) {
    throw Napi::RangeError::New(info.Env(), "matmul: operand sizes do not match the given dimensions");
  }
  try {
    ThreadLimit threads(threads_for_flops(2.0 * static_cast<double>(batch * s.m) * static_cast<double>(s.n * s.k)));
    MatmulShape used = s;
    MatmulEntry* e = pick_precision([&](bool bf16) {
      used.bf16 = bf16;
      return get(used);
    });
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, bf16_operand(used.a(), a, 0)},
                                         {DNNL_ARG_WEIGHTS, bf16_operand(used.b(), b, 1)},
                                         {DNNL_ARG_DST, memory(s.c(), cpu_engine(), c)}};
    if (bias) args.emplace(DNNL_ARG_BIAS, memory(s.bias_md(), cpu_engine(), bias));
    e->prim.execute(cpu_stream(), args);
    cpu_stream().wait();
  } catch (const dnnl::error& err) {
    throw Napi::Error::New(info.Env(), std::string("oneDNN matmul: ") + err.what());
  }
  return info.Env().Undefined();
}

}  // namespace

void RegisterMatmul(Napi::Env env, Napi::Object exports) { exports.Set("matmul", Napi::Function::New(env, Matmul)); }

}  // namespace lisht
