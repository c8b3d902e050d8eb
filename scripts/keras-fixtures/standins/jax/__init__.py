"""Pure-Python stand-in for jax: Keras 3's numpy backend imports jax for its convolution and
pooling (jax.lax) and, through its FFT helpers, the whole jax backend package.

The numpy backend's calls are answered by numpy code in `lax` (conv_general_dilated and
reduce_window for 2-D NHWC inputs, the forms the fixtures use). Every other jax name,
imported by modules the fixtures never run, resolves to a placeholder that fails loudly
when used.
"""
import importlib.abc
import importlib.machinery
import sys
import types


class Placeholder:
    """Any jax attribute the numpy backend does not use: importable, fails when called."""

    def __init__(self, name):
        self._name = name

    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        return Placeholder(f"{self._name}.{attr}")

    def __call__(self, *args, **kwargs):
        # Used as a decorator at import time (jax.custom_jvp, jax.jit): keep the function.
        if len(args) == 1 and callable(args[0]) and not kwargs:
            return args[0]
        raise NotImplementedError(f"jax stand-in: {self._name} is not available")

    def __getitem__(self, key):
        return self

    def __mro_entries__(self, bases):
        return (object,)

    def __repr__(self):
        return f"<jax stand-in {self._name}>"


class _PlaceholderModule(types.ModuleType):
    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        return Placeholder(f"{self.__name__}.{attr}")


class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Makes any jax.* submodule (other than the real files here) a placeholder module."""

    def find_spec(self, fullname, path, target=None):
        if fullname.startswith("jax.") or fullname in ("flax", "jaxlib") or fullname.startswith(("flax.", "jaxlib.")):
            real = importlib.machinery.PathFinder.find_spec(fullname, path)
            if real is not None:
                return real
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        return None

    def create_module(self, spec):
        module = _PlaceholderModule(spec.name)
        module.__path__ = []
        return module

    def exec_module(self, module):
        pass


sys.meta_path.append(_Finder())

from . import lax  # noqa: E402

__version__ = "0.0.0-standin"


def __getattr__(attr):
    if attr.startswith("__"):
        raise AttributeError(attr)
    return Placeholder(f"jax.{attr}")
