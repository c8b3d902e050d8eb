// The geometry of a 2-D NHWC max pooling as the addon receives it from JS (an Int32Array of 12
// values).
#pragma once

#include <napi.h>

#include <cstdint>

namespace lisht {

// In the JS array's order: batch, input height/width, channels, window height/width, strides,
// padding top/left, output height/width.
struct PoolGeom {
  int64_t n, ih, iw, c, fh, fw, sh, sw, pt, pl, oh, ow;

  static PoolGeom from(const Napi::Value& v) {
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array ||
        v.As<Napi::Int32Array>().ElementLength() != 12) {
      throw Napi::TypeError::New(v.Env(), "pool geometry must be an Int32Array of 12 values");
    }
    const int32_t* g = v.As<Napi::Int32Array>().Data();
    PoolGeom p{g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9], g[10], g[11]};
    for (int64_t d : {p.n, p.ih, p.iw, p.c, p.fh, p.fw, p.sh, p.sw, p.oh, p.ow}) {
      if (d < 1) throw Napi::RangeError::New(v.Env(), "pool geometry: sizes and strides must be positive");
    }
    if (p.pt < 0 || p.pl < 0) throw Napi::RangeError::New(v.Env(), "pool geometry: padding must be >= 0");
    return p;
  }
};

}  // namespace lisht
