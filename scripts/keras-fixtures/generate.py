"""Generates the Keras fixtures of test/fixtures/keras with Keras 3 itself (numpy backend) and
TensorFlow.js's own converter module (keras_h5_conversion.py): see README.md beside this file.

For each model: <name>.keras (Keras 3's native format), <name>.h5 (Keras's legacy HDF5 format,
the one Keras 2 wrote), <name>.tfjs-h5/ (tensorflowjs_converter's route for a Keras 2 .h5) and
<name>.tfjs-keras/ (its route for a Keras 3 .keras), and <name>.predictions.json: Keras's
outputs on fixed inputs. Run with /usr/bin/python3 (numpy, h5py, scipy, absl, rich from Debian).
"""
import json
import os
import sys
import tempfile
import types
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
KERAS_SRC = os.environ.get("KERAS_SRC", "/tmp/keras-src")
TFJS_PY = os.environ.get("TFJS_PY", "/tmp/tfjs-src/tfjs-converter/python")
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "test", "fixtures", "keras")

os.environ["KERAS_BACKEND"] = "numpy"
sys.path[:0] = [os.path.join(HERE, "standins"), KERAS_SRC]

import numpy as np  # noqa: E402
import h5py  # noqa: E402
import keras  # noqa: E402
from keras import layers  # noqa: E402

import tfa_activations  # noqa: E402,F401  (registers the Addons> names)


def load_tfjs_converter():
    """Imports tensorflowjs.converters.keras_h5_conversion without TensorFlow: the package
    __init__ files (which import TensorFlow) are skipped, and tf.io.gfile.GFile is open()."""
    tf = types.ModuleType("tensorflow")
    tf.io = types.SimpleNamespace(gfile=types.SimpleNamespace(GFile=open))
    sys.modules["tensorflow"] = tf
    for pkg in ("tensorflowjs", "tensorflowjs.converters"):
        module = types.ModuleType(pkg)
        module.__path__ = [os.path.join(TFJS_PY, *pkg.split("."))]
        sys.modules[pkg] = module
    import importlib

    module = importlib.import_module("tensorflowjs.converters.keras_h5_conversion")
    # Keras asks whether TensorFlow is installed: it is not, and must not seem to be.
    del sys.modules["tensorflow"]
    return module


conversion = load_tfjs_converter()

# Every activation name Keras 3 can write as a string, in its own table.
from keras.src.activations import ALL_OBJECTS_DICT  # noqa: E402

# Names Keras itself cannot use with one argument or whose output shape differs from the
# layer's declared shape: they are in the refusal fixtures, not in the zoo MLP.
NOT_IN_MLP = {"glu", "threshold"}


def seeded(seed):
    return np.random.default_rng(seed)


def predictions(model, inputs):
    outputs = model.predict(inputs if len(inputs) > 1 else inputs[0], verbose=0)
    if not isinstance(outputs, (list, tuple)):
        outputs = [outputs]
    return {
        "keras_version": keras.__version__,
        "backend": keras.backend.backend(),
        "inputs": [{"shape": list(x.shape), "data": x.astype(np.float32).ravel().tolist()} for x in inputs],
        "outputs": [{"shape": list(np.shape(y)), "data": np.asarray(y, np.float32).ravel().tolist()} for y in outputs],
    }


def write_tfjs(topology, groups, folder):
    os.makedirs(folder, exist_ok=True)
    conversion.write_artifacts(topology, groups, folder)


def save_all(name, model, inputs):
    base = os.path.join(OUT, name)
    model.save(base + ".keras")
    model.save(base + ".h5")
    # tensorflowjs_converter --input_format=keras on the .h5 (its Keras 2 route).
    topology, groups = conversion.h5_merged_saved_model_to_tfjs_format(base + ".h5")
    write_tfjs(topology, groups, base + ".tfjs-h5")
    # ... and on the .keras (its Keras 3 route: the zip's three members).
    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(base + ".keras") as z:
            z.extractall(tmp)
        with open(os.path.join(tmp, "config.json")) as c, open(os.path.join(tmp, "metadata.json")) as m:
            config, meta = json.load(c), json.load(m)
        with h5py.File(os.path.join(tmp, "model.weights.h5"), "r") as h5:
            topology, groups = conversion.h5_v3_merged_saved_model_to_tfjs_format(h5, meta, config)
            write_tfjs(topology, groups, base + ".tfjs-keras")
    # Keras reloads its own files before its predictions are recorded.
    for path in (base + ".keras", base + ".h5"):
        reloaded = keras.saving.load_model(path, compile=False)
        np.testing.assert_allclose(
            np.asarray(reloaded.predict(inputs if len(inputs) > 1 else inputs[0], verbose=0)[0]),
            np.asarray(model.predict(inputs if len(inputs) > 1 else inputs[0], verbose=0)[0]),
            rtol=1e-6,
        )
    with open(base + ".predictions.json", "w") as f:
        json.dump(predictions(model, inputs), f)
    print("wrote", name)


def randomize_weights(model, seed, scale=0.5):
    rng = seeded(seed)
    for layer in model.layers:
        weights = layer.get_weights()
        if weights:
            layer.set_weights([
                (np.abs(rng.normal(1.0, 0.2, w.shape)) if "variance" in v.path else rng.normal(0, scale, w.shape)).astype(np.float32)
                for w, v in zip(weights, layer.weights)
            ])


def cnn_lisht():
    """The article's CNN, LiSHT as tfa's registered function (Addons>lisht)."""
    keras.utils.set_random_seed(1)
    model = keras.Sequential(
        [
            keras.Input((32, 32, 3)),
            layers.Conv2D(32, 3, activation=tfa_activations.lisht),
            layers.MaxPooling2D(2),
            layers.Conv2D(64, 3, activation=tfa_activations.lisht),
            layers.MaxPooling2D(2),
            layers.Flatten(),
            layers.Dense(10, activation="softmax"),
        ],
        name="seed_cnn",
    )
    return model, [seeded(2).uniform(0, 1, (2, 32, 32, 3)).astype(np.float32)]


def zoo_mlp():
    """One Dense branch per activation: every name Keras 3 writes, tfa's names, and the
    activation layers whose arguments differ between Keras and TensorFlow.js."""
    keras.utils.set_random_seed(3)
    x = keras.Input((6,), name="x")
    outputs = []
    for name in sorted(ALL_OBJECTS_DICT):
        if name in NOT_IN_MLP:
            continue
        outputs.append(layers.Dense(6, activation=name, name=f"dense_{name}")(x))
    for name in tfa_activations.NAMES:
        outputs.append(layers.Dense(6, activation=getattr(tfa_activations, name), name=f"dense_addons_{name}")(x))
    outputs.append(layers.LeakyReLU(negative_slope=0.05, name="leaky_relu_layer")(x))
    outputs.append(layers.LeakyReLU(name="leaky_relu_layer_default")(x))
    outputs.append(layers.ReLU(max_value=2.0, negative_slope=0.1, threshold=0.5, name="relu_layer")(x))
    outputs.append(layers.ELU(alpha=0.7, name="elu_layer")(x))
    outputs.append(layers.Softmax(name="softmax_layer")(x))
    outputs.append(layers.Activation("hard_sigmoid", name="activation_hard_sigmoid")(x))
    model = keras.Model(x, outputs, name="zoo_mlp")
    randomize_weights(model, 4, scale=1.0)
    return model, [seeded(5).uniform(-4, 4, (16, 6)).astype(np.float32)]


def bn_dropout():
    keras.utils.set_random_seed(6)
    model = keras.Sequential(
        [
            keras.Input((12,)),
            layers.Dense(16, activation="relu"),
            layers.BatchNormalization(),
            layers.Dropout(0.3),
            layers.Dense(4, activation="hard_sigmoid"),
        ],
        name="bn_dropout",
    )
    randomize_weights(model, 7)
    # Compiled, with the optimizer's slots built: its state is saved too (optimizer/vars/N),
    # which a loader must pass over. (The numpy backend does not train.)
    model.compile(optimizer="adam", loss="mse")
    model.optimizer.build(model.trainable_variables)
    return model, [seeded(8).normal(0, 1, (5, 12)).astype(np.float32)]


def two_inputs():
    keras.utils.set_random_seed(9)
    a = keras.Input((6,), name="a")
    b = keras.Input((4,), name="b")
    ha = layers.Dense(8, activation="leaky_relu", name="branch_a")(a)
    hb = layers.Dense(8, activation=tfa_activations.lisht, name="branch_b")(b)
    joined = layers.Concatenate(name="concat")([ha, hb])
    summed = layers.Add(name="add")([ha, hb])
    h = layers.Dense(5, activation="gelu", name="mix")(joined)
    out = layers.Dense(3, activation="softmax", name="out")(layers.Concatenate(name="concat2")([h, summed]))
    model = keras.Model([a, b], out, name="two_inputs")
    return model, [seeded(10).normal(0, 1, (4, 6)).astype(np.float32), seeded(11).normal(0, 1, (4, 4)).astype(np.float32)]


def lstm_text():
    """Embedding and LSTM: Keras 3 keeps the LSTM's weights in its cell (layers/lstm/cell/vars)."""
    keras.utils.set_random_seed(12)
    model = keras.Sequential(
        [keras.Input((7,)), layers.Embedding(20, 5), layers.LSTM(6), layers.Dense(3, activation="softmax")],
        name="lstm_text",
    )
    randomize_weights(model, 13)
    return model, [seeded(14).integers(0, 20, (4, 7)).astype(np.float32)]


@keras.saving.register_keras_serializable(package="Fixtures", name="Scale")
class Scale(layers.Layer):
    """A custom layer: the loader must refuse it by name."""

    def call(self, x):
        return x * 2.0


def refused_models():
    """Models Keras saves that TensorFlow.js cannot compute as Keras does."""
    x = keras.Input((4,))
    yield "refuse_lambda", keras.Model(x, layers.Lambda(lambda t: t * 3.0, name="times_three")(x))
    x = keras.Input((4,))
    yield "refuse_custom_layer", keras.Model(x, Scale(name="scale")(x))
    x = keras.Input((4,))
    yield "refuse_glu", keras.Model(x, layers.Dense(4, activation="glu", name="dense_glu")(x))
    x = keras.Input((4,))
    yield "refuse_threshold", keras.Model(x, layers.Activation("threshold", name="act_threshold")(x))


def main():
    os.makedirs(OUT, exist_ok=True)
    for build in (cnn_lisht, zoo_mlp, bn_dropout, two_inputs, lstm_text):
        model, inputs = build()
        save_all(build.__name__, model, inputs)
    for name, model in refused_models():
        model.save(os.path.join(OUT, name + ".keras"))
        print("wrote", name)
    with open(os.path.join(OUT, "activation_names.json"), "w") as f:
        json.dump(
            {
                "keras_version": keras.__version__,
                "keras3": sorted(ALL_OBJECTS_DICT),
                "addons": ["Addons>" + n for n in tfa_activations.NAMES],
            },
            f,
            indent=1,
        )


if __name__ == "__main__":
    main()
