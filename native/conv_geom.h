// The geometry of a 2-D NHWC convolution as the addon receives it from JS (an Int32Array of
// 17 values), with its oneDNN descriptors.
#pragma once

#include <napi.h>

#include <dnnl.hpp>
#include <sstream>
#include <string>

#include "dnnl_context.h"

namespace lisht {

using dnnl::memory;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

// In the JS array's order: batch, input height/width/channels, output channels, filter
// height/width, strides, dilations (TF.js's: 1 = dense), padding top/left/bottom/right (bottom
// and right may be negative: input rows no window reaches), output height/width.
struct ConvGeom {
  int64_t n, ih, iw, ic, oc, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, oh, ow;

  static ConvGeom from(const Napi::Value& v) {
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array ||
        v.As<Napi::Int32Array>().ElementLength() != 17) {
      throw Napi::TypeError::New(v.Env(), "conv geometry must be an Int32Array of 17 values");
    }
    const int32_t* g = v.As<Napi::Int32Array>().Data();
    ConvGeom c{g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15], g[16]};
    for (int64_t d : {c.n, c.ih, c.iw, c.ic, c.oc, c.kh, c.kw, c.sh, c.sw, c.dh, c.dw, c.oh, c.ow}) {
      if (d < 1) throw Napi::RangeError::New(v.Env(), "conv geometry: sizes, strides and dilations must be positive");
    }
    // Only the far-side padding may be negative (trailing input rows no window reaches).
    if (c.pt < 0 || c.pl < 0) throw Napi::RangeError::New(v.Env(), "conv geometry: leading padding must be >= 0");
    return c;
  }
  int64_t src_size() const { return n * ih * iw * ic; }
  int64_t dst_size() const { return n * oh * ow * oc; }
  int64_t weights_size() const { return kh * kw * ic * oc; }
  // Multiply-adds x 2 of each of the three passes (forward, data and filter gradients).
  double flops() const { return 2.0 * static_cast<double>(dst_size()) * static_cast<double>(kh * kw * ic); }

  std::string key() const {
    std::ostringstream s;
    s << n << ',' << ih << ',' << iw << ',' << ic << ',' << oc << ',' << kh << ',' << kw << ',' << sh << ',' << sw << ','
      << dh << ',' << dw << ',' << pt << ',' << pl << ',' << pb << ',' << pr << ',' << oh << ',' << ow;
    return s.str();
  }
  memory::desc src(dt t = dt::f32) const { return {{n, ic, ih, iw}, t, tag::nhwc}; }
  memory::desc dst(dt t = dt::f32) const { return {{n, oc, oh, ow}, t, tag::nhwc}; }
  memory::desc user_weights() const { return {{oc, ic, kh, kw}, dt::f32, tag::hwio}; }
  memory::desc any_weights(dt t = dt::f32) const { return {{oc, ic, kh, kw}, t, tag::any}; }
  memory::desc bias() const { return {{oc}, dt::f32, tag::x}; }
  memory::dims strides() const { return {sh, sw}; }
  memory::dims dilates() const { return {dh - 1, dw - 1}; }  // oneDNN counts the gaps
  memory::dims pad_l() const { return {pt, pl}; }
  memory::dims pad_r() const { return {pb, pr}; }

  // With bf16: bf16 source and weights, fp32 accumulation, bias and destination (TF.js reads
  // the output as float32, so a bf16 destination would only add a conversion back).
  dnnl::convolution_forward::primitive_desc forward_pd(bool with_bias, int act, bool bf16 = false) const {
    const dt in = bf16 ? dt::bf16 : dt::f32;
    auto d = with_bias ? dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct,
                                                         src(in), any_weights(in), bias(), dst(), strides(), dilates(), pad_l(), pad_r())
                       : dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct,
                                                         src(in), any_weights(in), dst(), strides(), dilates(), pad_l(), pad_r());
    dnnl::primitive_attr attr;
    if (act == 1) {
      dnnl::post_ops ops;
      ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
      attr.set_post_ops(ops);
    }
    return {d, attr, cpu_engine()};
  }
};


}  // namespace lisht
