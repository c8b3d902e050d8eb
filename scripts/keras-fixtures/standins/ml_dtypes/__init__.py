"""Pure-Python stand-in for ml_dtypes, enough for Keras 3 to save and load float32 models.

Keras imports ml_dtypes for bfloat16 and for finfo/iinfo of extended types; the fixtures
use float32 only, so numpy's finfo/iinfo answer and bfloat16 is an unusable marker.
"""
import numpy as np

finfo = np.finfo
iinfo = np.iinfo


class _Unavailable:
    def __init__(self, name):
        self.name = name

    def __call__(self, *args, **kwargs):
        raise TypeError(f"ml_dtypes stand-in: {self.name} is not available")

    def __repr__(self):
        return f"<ml_dtypes stand-in {self.name}>"


bfloat16 = _Unavailable("bfloat16")
float8_e4m3fn = _Unavailable("float8_e4m3fn")
float8_e5m2 = _Unavailable("float8_e5m2")
int4 = _Unavailable("int4")
uint4 = _Unavailable("uint4")
