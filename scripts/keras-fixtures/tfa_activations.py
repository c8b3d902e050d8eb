"""TensorFlow Addons' activations, registered under tfa's names (`Addons>lisht`, ...) as tfa
registers them, so that Keras serializes them exactly as it serializes a model built with
`activation=tfa.activations.lisht`. TensorFlow Addons itself needs TensorFlow; these follow
its documented formulas and default arguments (tfa 0.23).
"""
import math

import keras
from keras import ops

NAMES = ["lisht", "mish", "gelu", "hardshrink", "softshrink", "tanhshrink", "snake", "sparsemax", "rrelu"]


def _register(fn):
    return keras.saving.register_keras_serializable(package="Addons", name=fn.__name__)(fn)


@_register
def lisht(x):
    return x * ops.tanh(x)


@_register
def mish(x):
    return x * ops.tanh(ops.softplus(x))


@_register
def gelu(x, approximate=True):
    # tfa's default is the tanh approximation (Keras's is the exact erf form).
    return 0.5 * x * (1.0 + ops.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


@_register
def hardshrink(x, lower=-0.5, upper=0.5):
    return ops.where((x < lower) | (x > upper), x, ops.zeros_like(x))


@_register
def softshrink(x, lower=-0.5, upper=0.5):
    return ops.where(x < lower, x - lower, ops.where(x > upper, x - upper, ops.zeros_like(x)))


@_register
def tanhshrink(x):
    return x - ops.tanh(x)


@_register
def snake(x, frequency=1.0):
    return x + (1.0 - ops.cos(2.0 * frequency * x)) / (2.0 * frequency)


@_register
def sparsemax(x, axis=-1):
    # Martins & Astudillo's tau, (cumsum at k - 1) / k, as tfa computes it. Keras 3's own
    # sparsemax sums the cumulative sums over the support instead, and so differs.
    assert axis == -1
    z = -ops.sort(-x, axis=-1)
    cumulative = ops.cumsum(z, axis=-1)
    r = ops.arange(1, x.shape[-1] + 1, dtype=x.dtype)
    support = ops.cast(1.0 + r * z > cumulative, x.dtype)
    k = ops.sum(support, axis=-1, keepdims=True)
    tau = (ops.sum(support * z, axis=-1, keepdims=True) - 1.0) / k
    return ops.maximum(x - tau, 0.0)


@_register
def rrelu(x, lower=0.125, upper=0.3333333333333333, training=None):
    # Outside training tfa uses the mean slope, (lower + upper) / 2.
    return ops.where(x >= 0, x, x * ((lower + upper) / 2.0))
