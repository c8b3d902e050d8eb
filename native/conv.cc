// 2-D convolution on oneDNN: forward (optionally with bias and ReLU fused as post-ops), data
// gradient and filter gradient. Activations stay NHWC and filters stay TF.js's HWIO in the
// caller's memory; only the (small) filters are reordered into oneDNN's blocked layout.
#include <sstream>

#include "bf16.h"
#include "common.h"
#include "conv_geom.h"
#include "conv_small.h"
#include "dnnl_context.h"

namespace lisht {
namespace {

// Reorders a caller's HWIO filter into the layout a primitive wants, into a buffer it owns.
struct WeightsIn {
  memory::desc user, want;
  memory buf;
  dnnl::reorder reorder;
  bool needed = false;

  void init(const memory::desc& user_md, const memory::desc& want_md) {
    user = user_md;
    want = want_md;
    needed = user != want;
    if (needed) {
      buf = memory(want, cpu_engine());
      reorder = dnnl::reorder(memory(user, cpu_engine(), DNNL_MEMORY_NONE), buf);
    }
  }
  memory bind(float* data) {
    memory m(user, cpu_engine(), data);
    if (!needed) return m;
    reorder.execute(cpu_stream(), m, buf);
    return buf;
  }
};

struct ConvFwd {
  dnnl::convolution_forward::primitive_desc pd;
  dnnl::convolution_forward prim;
  WeightsIn w;
};

struct ConvBwdData {
  dnnl::convolution_backward_data::primitive_desc pd;
  dnnl::convolution_backward_data prim;
  WeightsIn w;
};

struct ConvBwdWeights {
  dnnl::convolution_backward_weights::primitive_desc pd;
  dnnl::convolution_backward_weights prim;
  memory dw_buf;  // blocked gradient, reordered into the caller's HWIO buffer
  dnnl::reorder dw_reorder;
  bool needs_reorder = false;
};

PrimitiveCache<ConvFwd> fwd_cache;
PrimitiveCache<ConvBwdData> bwd_data_cache;
PrimitiveCache<ConvBwdWeights> bwd_weights_cache;

bool unimplemented(const dnnl::error& e) { return e.status == dnnl_unimplemented || e.status == dnnl_invalid_arguments; }

const char* precision_key(bool bf16) { return bf16 ? "+bf16" : ""; }

ConvFwd* get_fwd(const ConvGeom& g, bool with_bias, int act, bool bf16) {
  std::string key = g.key() + (with_bias ? "+b" : "") + "+a" + std::to_string(act) + precision_key(bf16);
  return fwd_cache.get(key, [&]() -> std::unique_ptr<ConvFwd> {
    try {
      auto e = std::make_unique<ConvFwd>();
      e->pd = g.forward_pd(with_bias, act, bf16);
      if (bf16 && !usable_bf16(e->pd.impl_info_str())) return nullptr;
      e->prim = dnnl::convolution_forward(e->pd);
      e->w.init(g.user_weights(), e->pd.weights_desc());
      return e;
    } catch (const dnnl::error& err) {
      if (unimplemented(err)) return nullptr;
      throw;
    }
  });
}

// With bf16: bf16 dy and weights, fp32 dx.
ConvBwdData* get_bwd_data(const ConvGeom& g, bool bf16) {
  return bwd_data_cache.get(g.key() + precision_key(bf16), [&]() -> std::unique_ptr<ConvBwdData> {
    try {
      auto e = std::make_unique<ConvBwdData>();
      const dt in = bf16 ? dt::bf16 : dt::f32;
      dnnl::convolution_backward_data::desc d(dnnl::algorithm::convolution_direct, g.src(), g.any_weights(in), g.dst(in), g.strides(),
                                              g.dilates(), g.pad_l(), g.pad_r());
      e->pd = dnnl::convolution_backward_data::primitive_desc(d, cpu_engine(), g.forward_pd(false, 0, bf16));
      if (bf16 && !usable_bf16(e->pd.impl_info_str())) return nullptr;
      e->prim = dnnl::convolution_backward_data(e->pd);
      e->w.init(g.user_weights(), e->pd.weights_desc());
      return e;
    } catch (const dnnl::error& err) {
      if (unimplemented(err)) return nullptr;
      throw;
    }
  });
}

// With bf16: bf16 x and dy, fp32 filter and bias gradients.
ConvBwdWeights* get_bwd_weights(const ConvGeom& g, bool with_bias, bool bf16) {
  return bwd_weights_cache.get(g.key() + (with_bias ? "+b" : "") + precision_key(bf16), [&]() -> std::unique_ptr<ConvBwdWeights> {
    try {
      auto e = std::make_unique<ConvBwdWeights>();
      const dt in = bf16 ? dt::bf16 : dt::f32;
      auto d = with_bias ? dnnl::convolution_backward_weights::desc(dnnl::algorithm::convolution_direct, g.src(in), g.any_weights(),
                                                                    g.bias(), g.dst(in), g.strides(), g.dilates(), g.pad_l(), g.pad_r())
                         : dnnl::convolution_backward_weights::desc(dnnl::algorithm::convolution_direct, g.src(in), g.any_weights(),
                                                                    g.dst(in), g.strides(), g.dilates(), g.pad_l(), g.pad_r());
      e->pd = dnnl::convolution_backward_weights::primitive_desc(d, cpu_engine(), g.forward_pd(with_bias, 0, bf16));
      if (bf16 && !usable_bf16(e->pd.impl_info_str())) return nullptr;
      e->prim = dnnl::convolution_backward_weights(e->pd);
      memory::desc user = g.user_weights();
      e->needs_reorder = e->pd.diff_weights_desc() != user;
      if (e->needs_reorder) {
        e->dw_buf = memory(e->pd.diff_weights_desc(), cpu_engine());
        e->dw_reorder = dnnl::reorder(e->dw_buf, memory(user, cpu_engine(), DNNL_MEMORY_NONE));
      }
      return e;
    } catch (const dnnl::error& err) {
      if (unimplemented(err)) return nullptr;
      throw;
    }
  });
}

// Array sizes against the geometry: a mismatch would read or write out of bounds.
void check_sizes(const Napi::CallbackInfo& info, std::initializer_list<std::pair<int, int64_t>> expected) {
  for (auto [arg, size] : expected) {
    if (!info[arg].IsNull() && !info[arg].IsUndefined() && f32_len(info[arg]) != size) {
      throw Napi::RangeError::New(info.Env(), "conv2d: argument " + std::to_string(arg) + " has " + std::to_string(f32_len(info[arg])) +
                                                  " elements, the geometry needs " + std::to_string(size));
    }
  }
}

template <class F>
Napi::Value guarded(const Napi::CallbackInfo& info, F&& f) {
  try {
    return f();
  } catch (const dnnl::error& e) {
    throw Napi::Error::New(info.Env(), std::string("oneDNN: ") + e.what());
  }
}

// conv2dForward(x, filter, bias|null, y, geom, act): boolean. False when oneDNN has no
// implementation for the configuration (the caller then uses the cpu kernel).
Napi::Value Conv2dForward(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    ConvGeom g = ConvGeom::from(info[4]);
    ThreadLimit threads(threads_for_flops(g.flops()));
    float* x = f32(info[0], "x");
    float* w = f32(info[1], "filter");
    float* b = f32_opt(info[2], "bias");
    float* y = f32(info[3], "y");
    int act = static_cast<int>(i64(info[5]));
    check_sizes(info, {{0, g.src_size()}, {1, g.weights_size()}, {2, g.oc}, {3, g.dst_size()}});
    ConvFwd* e = pick_precision([&](bool bf16) { return get_fwd(g, b != nullptr, act, bf16); });
    if (!e) return Napi::Boolean::New(info.Env(), false);
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, bf16_operand(e->pd.src_desc(), x, 0)},
                                         {DNNL_ARG_WEIGHTS, e->w.bind(w)},
                                         {DNNL_ARG_DST, memory(g.dst(), cpu_engine(), y)}};
    if (b) args.emplace(DNNL_ARG_BIAS, memory(g.bias(), cpu_engine(), b));
    e->prim.execute(cpu_stream(), args);
    cpu_stream().wait();
    return Napi::Boolean::New(info.Env(), true);
  });
}

// conv2dBackwardData(dy, filter, dx, geom): boolean.
Napi::Value Conv2dBackwardData(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    ConvGeom g = ConvGeom::from(info[3]);
    ThreadLimit threads(threads_for_flops(g.flops()));
    float* dy = f32(info[0], "dy");
    float* w = f32(info[1], "filter");
    float* dx = f32(info[2], "dx");
    check_sizes(info, {{0, g.dst_size()}, {1, g.weights_size()}, {2, g.src_size()}});
    if (conv_backward_data_small(g, dy, w, dx)) return Napi::Boolean::New(info.Env(), true);
    ConvBwdData* e = pick_precision([&](bool bf16) { return get_bwd_data(g, bf16); });
    if (!e) return Napi::Boolean::New(info.Env(), false);
    e->prim.execute(cpu_stream(), {{DNNL_ARG_DIFF_DST, bf16_operand(e->pd.diff_dst_desc(), dy, 1)},
                                   {DNNL_ARG_WEIGHTS, e->w.bind(w)},
                                   {DNNL_ARG_DIFF_SRC, memory(g.src(), cpu_engine(), dx)}});
    cpu_stream().wait();
    return Napi::Boolean::New(info.Env(), true);
  });
}

// conv2dBackwardFilter(x, dy, dfilter, dbias|null, geom): boolean. With dbias, the bias
// gradient (sum of dy over N, H, W) comes out of the same pass over dy.
Napi::Value Conv2dBackwardFilter(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    ConvGeom g = ConvGeom::from(info[4]);
    ThreadLimit threads(threads_for_flops(g.flops()));
    float* x = f32(info[0], "x");
    float* dy = f32(info[1], "dy");
    float* dw = f32(info[2], "dfilter");
    float* db = f32_opt(info[3], "dbias");
    check_sizes(info, {{0, g.src_size()}, {1, g.dst_size()}, {2, g.weights_size()}, {3, g.oc}});
    if (conv_backward_filter_small(g, x, dy, dw, db)) return Napi::Boolean::New(info.Env(), true);
    ConvBwdWeights* e = pick_precision([&](bool bf16) { return get_bwd_weights(g, db != nullptr, bf16); });
    if (!e) return Napi::Boolean::New(info.Env(), false);
    memory user_dw(g.user_weights(), cpu_engine(), dw);
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, bf16_operand(e->pd.src_desc(), x, 0)},
                                         {DNNL_ARG_DIFF_DST, bf16_operand(e->pd.diff_dst_desc(), dy, 1)},
                                         {DNNL_ARG_DIFF_WEIGHTS, e->needs_reorder ? e->dw_buf : user_dw}};
    if (db) args.emplace(DNNL_ARG_DIFF_BIAS, memory(g.bias(), cpu_engine(), db));
    e->prim.execute(cpu_stream(), args);
    if (e->needs_reorder) e->dw_reorder.execute(cpu_stream(), e->dw_buf, user_dw);
    cpu_stream().wait();
    return Napi::Boolean::New(info.Env(), true);
  });
}

// conv2dImpl(geom): {forward, backwardData, backwardFilter} oneDNN implementation names under
// the current precision (with ":bf16" on those running bf16), for profiles, tests and bug reports.
Napi::Value Conv2dImpl(const Napi::CallbackInfo& info) {
  return guarded(info, [&]() -> Napi::Value {
    ConvGeom g = ConvGeom::from(info[0]);
    ThreadLimit threads(threads_for_flops(g.flops()));
    Napi::Object out = Napi::Object::New(info.Env());
    ConvFwd* f = pick_precision([&](bool bf16) { return get_fwd(g, false, 0, bf16); });
    ConvBwdData* d = pick_precision([&](bool bf16) { return get_bwd_data(g, bf16); });
    ConvBwdWeights* w = pick_precision([&](bool bf16) { return get_bwd_weights(g, false, bf16); });
    auto name = [&](const auto* e, const memory::desc& in) -> Napi::Value {
      if (!e) return info.Env().Null();
      return Napi::String::New(info.Env(), std::string(e->pd.impl_info_str()) + (in.data_type() == dt::bf16 ? ":bf16" : ""));
    };
    out.Set("forward", f ? name(f, f->pd.src_desc()) : info.Env().Null());
    out.Set("backwardData", d ? name(d, d->pd.diff_dst_desc()) : info.Env().Null());
    out.Set("backwardFilter", w ? name(w, w->pd.src_desc()) : info.Env().Null());
    return out;
  });
}

}  // namespace

void RegisterConv(Napi::Env env, Napi::Object exports) {
  exports.Set("conv2dForward", Napi::Function::New(env, Conv2dForward));
  exports.Set("conv2dBackwardData", Napi::Function::New(env, Conv2dBackwardData));
  exports.Set("conv2dBackwardFilter", Napi::Function::New(env, Conv2dBackwardFilter));
  exports.Set("conv2dImpl", Napi::Function::New(env, Conv2dImpl));
}

}  // namespace lisht
