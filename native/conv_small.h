// Hand-written gradients for convolutions over very few input channels (a first layer on RGB
// or grey images), where oneDNN's kernels, blocked along input channels, idle most lanes.
#pragma once

#include "conv_geom.h"

namespace lisht {

// dw (HWIO) and, when db is not null, db = sum of dy over N, H, W. Returns false, touching
// nothing, for geometries it does not cover (the caller then uses oneDNN).
bool conv_backward_filter_small(const ConvGeom& g, const float* x, const float* dy, float* dw, float* db);

// dx (NHWC) of a stride-1 3x3 convolution over 1 or 3 input channels, or 5x5 over 1; false,
// touching nothing, for other geometries.
bool conv_backward_data_small(const ConvGeom& g, const float* dy, const float* w, float* dx);

}  // namespace lisht
