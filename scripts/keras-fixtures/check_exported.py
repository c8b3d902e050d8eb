"""Loads every .keras and .h5 file that lisht wrote (export-for-keras.mjs) with Keras 3's
keras.saving.load_model, as a user would, and compares Keras's predictions with lisht's.
Prints one line per model; the output is committed as check_exported.txt.

    /usr/bin/python3 scripts/keras-fixtures/check_exported.py /tmp/lisht-exported
"""
import glob
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
os.environ["KERAS_BACKEND"] = "numpy"
sys.path[:0] = [HERE, os.path.join(HERE, "standins"), os.environ.get("KERAS_SRC", "/tmp/keras-src")]

import numpy as np  # noqa: E402
import keras  # noqa: E402

# tfa's functions (Addons>gelu, ...) that the round-tripped zoo MLP names, registered as
# `import tensorflow_addons` registers them.
import tfa_activations  # noqa: E402,F401

# The two lines a user writes (see the README): LiSHT by the name lisht writes.
lisht = lambda x: x * keras.ops.tanh(x)  # noqa: E731
custom_objects = {"lisht": lisht}

folder = sys.argv[1] if len(sys.argv) > 1 else "/tmp/lisht-exported"
failures = 0
print(f"keras {keras.__version__} ({keras.backend.backend()} backend)")
for path in sorted(glob.glob(os.path.join(folder, "*.keras")) + glob.glob(os.path.join(folder, "*.h5"))):
    file = os.path.basename(path)
    name = file.rsplit(".", 1)[0]
    with open(os.path.join(folder, name + ".lisht-predictions.json")) as f:
        expected = json.load(f)
    try:
        model = keras.saving.load_model(path, custom_objects=custom_objects)
        inputs = [np.array(i["data"], np.float32).reshape(i["shape"]) for i in expected["inputs"]]
        outputs = model.predict(inputs if len(inputs) > 1 else inputs[0], verbose=0)
        if not isinstance(outputs, (list, tuple)):
            outputs = [outputs]
        worst = 0.0
        for got, want in zip(outputs, expected["outputs"]):
            want = np.array(want["data"], np.float32).reshape(want["shape"])
            worst = max(worst, float(np.max(np.abs(np.asarray(got) - want) / np.maximum(1.0, np.abs(want)))))
        status = "ok" if worst <= 1e-5 else "MISMATCH"
        failures += status != "ok"
        print(f"{status:8} {file}: {len(model.layers)} layers, {model.count_params()} parameters, max relative difference {worst:.2e}")
    except Exception as err:  # noqa: BLE001 - every failure is reported, then counted
        failures += 1
        print(f"FAILED   {file}: {type(err).__name__}: {str(err).splitlines()[0][:300]}")
sys.exit(1 if failures else 0)
