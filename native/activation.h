// The activations fused into pooling and convolution-gradient kernels, on 16-lane vectors,
// with TF.js's conventions for special values.
#pragma once

#include "vmath.h"

namespace lisht {

enum Act { kIdentity = 0, kRelu = 1, kLisht = 2 };

// act(x) for ranking a window (NaN stays NaN, so never wins; -0 may stay -0, which ranks as 0).
// Written as one compare: GCC 12 turns the two-compare form into far slower code.
LISHT_INLINE vf act_vec(vf x, int act) {
  if (act == kRelu) return select(x < 0.0f, splat(0.0f), x);
  if (act == kLisht) return lisht_fwd(x);
  return x;
}

// The key a pooling window is ranked by: act(x), except for LiSHT, which is even and increasing
// in |x|, so that its window max is LiSHT at the window's max |x|: ranking by |x| takes one
// transcendental per window instead of one per element. NaN never wins either way.
LISHT_INLINE vf rank_vec(vf x, int act) { return act == kLisht ? vabs(x) : act_vec(x, act); }

// dy * act'(x), as TF.js's composed kernels compute it (ReLU: dy * step(x), NaN propagating).
LISHT_INLINE vf act_grad_vec(vf dy, vf x, int act) {
  if (act == kRelu) return dy * select(x != x, x, select(x > 0.0f, splat(1.0f), splat(0.0f)));
  if (act == kLisht) return lisht_bwd(dy, x);
  return dy;
}

}  // namespace lisht
