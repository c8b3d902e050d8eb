// Adam's and momentum SGD's update of one variable in one pass, in the order of operations
// TF.js's AdamOptimizer and MomentumOptimizer use, each step rounded to float32 as there.
#include "common.h"

// TF.js rounds after each multiply and add; a fused multiply-add would round once.
#pragma GCC optimize("fp-contract=off")

namespace lisht {
namespace {

struct AdamConsts {
  float beta1, one_minus_beta1, beta2, one_minus_beta2, neg_lr, epsilon, one_minus_acc_beta1, one_minus_acc_beta2;
};

LISHT_SIMD void adam_range(const AdamConsts& c, const float* __restrict w, const float* __restrict m, const float* __restrict v,
                           const float* __restrict g, float* __restrict w_out, float* __restrict m_out, float* __restrict v_out,
                           int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    float nm = m[i] * c.beta1 + g[i] * c.one_minus_beta1;
    float nv = v[i] * c.beta2 + (g[i] * g[i]) * c.one_minus_beta2;
    float mh = nm / c.one_minus_acc_beta1;
    float vh = nv / c.one_minus_acc_beta2;
    w_out[i] = (mh / (std::sqrt(vh) + c.epsilon)) * c.neg_lr + w[i];
    m_out[i] = nm;
    v_out[i] = nv;
  }
}

float f(const Napi::Value& v) { return v.As<Napi::Number>().FloatValue(); }

// adamUpdate(w, m, v, g, wOut, mOut, vOut, beta1, oneMinusBeta1, beta2, oneMinusBeta2, negLr,
// epsilon, oneMinusAccBeta1, oneMinusAccBeta2)
Napi::Value AdamUpdate(const Napi::CallbackInfo& info) {
  const float* w = f32(info[0], "value");
  const float* m = f32(info[1], "m");
  const float* v = f32(info[2], "v");
  const float* g = f32(info[3], "gradient");
  float* w_out = f32(info[4], "valueOut");
  float* m_out = f32(info[5], "mOut");
  float* v_out = f32(info[6], "vOut");
  int64_t n = f32_len(info[0]);
  for (int i = 1; i < 7; ++i) {
    if (f32_len(info[i]) != n) throw Napi::RangeError::New(info.Env(), "adamUpdate: arrays differ in length");
  }
  AdamConsts c{f(info[7]), f(info[8]), f(info[9]), f(info[10]), f(info[11]), f(info[12]), f(info[13]), f(info[14])};
  parallel_ranges(n, kMinTranscendentalPerThread, [&](int64_t s, int64_t e) { adam_range(c, w + s, m + s, v + s, g + s, w_out + s, m_out + s, v_out + s, e - s); });
  return info.Env().Undefined();
}

LISHT_SIMD void momentum_range(float momentum, float neg_lr, const float* __restrict w, const float* __restrict acc,
                               const float* __restrict g, float* __restrict w_out, float* __restrict acc_out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    float na = momentum * acc[i] + g[i];
    w_out[i] = neg_lr * na + w[i];
    acc_out[i] = na;
  }
}

// momentumUpdate(w, accumulation, g, wOut, accumulationOut, momentum, negLr):
// a' = momentum * a + g; w' = -lr * a' + w (TF.js's MomentumOptimizer without Nesterov).
Napi::Value MomentumUpdate(const Napi::CallbackInfo& info) {
  const float* w = f32(info[0], "value");
  const float* acc = f32(info[1], "accumulation");
  const float* g = f32(info[2], "gradient");
  float* w_out = f32(info[3], "valueOut");
  float* acc_out = f32(info[4], "accumulationOut");
  int64_t n = f32_len(info[0]);
  for (int i = 1; i < 5; ++i) {
    if (f32_len(info[i]) != n) throw Napi::RangeError::New(info.Env(), "momentumUpdate: arrays differ in length");
  }
  const float momentum = f(info[5]), neg_lr = f(info[6]);
  parallel_ranges(n, kMinTranscendentalPerThread, [&](int64_t s, int64_t e) { momentum_range(momentum, neg_lr, w + s, acc + s, g + s, w_out + s, acc_out + s, e - s); });
  return info.Env().Undefined();
}

}  // namespace

void RegisterOptim(Napi::Env env, Napi::Object exports) {
  exports.Set("adamUpdate", Napi::Function::New(env, AdamUpdate));
  exports.Set("momentumUpdate", Napi::Function::New(env, MomentumUpdate));
}

}  // namespace lisht
