"""numpy versions of the two jax.lax calls Keras 3's numpy backend makes for Conv2D and pooling."""
from collections import namedtuple

import numpy as np

ConvDimensionNumbers = namedtuple("ConvDimensionNumbers", ["lhs_spec", "rhs_spec", "out_spec"])


def max(a, b):  # noqa: A001 - jax.lax's name
    return np.maximum(a, b)


def add(a, b):
    return np.add(a, b)


def _same_pads(size, window, stride, dilation=1):
    effective = (window - 1) * dilation + 1
    out = -(-size // stride)
    total = max_(0, (out - 1) * stride + effective - size)
    return total // 2, total - total // 2


def max_(a, b):
    return a if a > b else b


def _pads(padding, sizes, windows, strides, dilations):
    if isinstance(padding, str):
        if padding.upper() == "VALID":
            return [(0, 0)] * len(sizes)
        return [_same_pads(s, w, st, d) for s, w, st, d in zip(sizes, windows, strides, dilations)]
    return [tuple(p) for p in padding]


def reduce_window(operand, init_value, computation, window_dimensions, window_strides, padding):
    x = np.asarray(operand)
    pads = _pads(padding, x.shape, window_dimensions, window_strides, [1] * x.ndim)
    x = np.pad(x, pads, constant_values=init_value)
    out_shape = [
        (n - w) // s + 1 for n, w, s in zip(x.shape, window_dimensions, window_strides)
    ]
    result = np.full(out_shape, init_value, dtype=x.dtype)
    for offset in np.ndindex(*window_dimensions):
        index = tuple(
            slice(o, o + (n - 1) * s + 1, s) for o, n, s in zip(offset, out_shape, window_strides)
        )
        result = computation(result, x[index])
    return result


def conv_general_dilated(lhs, rhs, window_strides, padding, lhs_dilation=None, rhs_dilation=None,
                         dimension_numbers=None, feature_group_count=1, **kwargs):
    x = np.asarray(lhs)
    k = np.asarray(rhs)
    if feature_group_count != 1 or (lhs_dilation and any(d != 1 for d in lhs_dilation)):
        raise NotImplementedError("jax stand-in: grouped or lhs-dilated convolution")
    # Bring everything to channels-last input and (spatial..., in, out) kernel.
    lhs_spec, rhs_spec, out_spec = dimension_numbers
    x = np.transpose(x, (lhs_spec[0],) + tuple(lhs_spec[2:]) + (lhs_spec[1],))
    k = np.transpose(k, tuple(rhs_spec[2:]) + (rhs_spec[1], rhs_spec[0]))
    spatial = x.shape[1:-1]
    windows = k.shape[:-2]
    dilations = tuple(rhs_dilation) if rhs_dilation else (1,) * len(spatial)
    pads = _pads(padding, spatial, windows, window_strides, dilations)
    x = np.pad(x, [(0, 0)] + list(pads) + [(0, 0)])
    out_spatial = [
        (n - ((w - 1) * d + 1)) // s + 1
        for n, w, s, d in zip(x.shape[1:-1], windows, window_strides, dilations)
    ]
    out = np.zeros((x.shape[0], *out_spatial, k.shape[-1]), dtype=np.result_type(x, k))
    for offset in np.ndindex(*windows):
        index = (slice(None),) + tuple(
            slice(o * d, o * d + (n - 1) * s + 1, s)
            for o, d, n, s in zip(offset, dilations, out_spatial, window_strides)
        ) + (slice(None),)
        out += np.tensordot(x[index], k[offset], axes=([-1], [0]))
    # Back to the requested output layout.
    inverse = np.argsort((out_spec[0],) + tuple(out_spec[2:]) + (out_spec[1],))
    return np.transpose(out, inverse)
