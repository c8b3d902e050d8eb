/**
 * Everything this package adds to TensorFlow.js, registered once, when this module is first
 * imported: the `Lisht` kernels of every backend and its gradient, the gradients of the fused
 * training kernels, the layer activations (`activation: 'lisht'`, `'leaky_relu'`, `'silu'`),
 * the layers and initializers its models save, and the chained Tensor methods tfjs-layers
 * needs in Node. The public entries (`src/index.ts`, `src/node.ts`) and the command line import
 * it; no other module of the library does, so what a module needs registered is visible here.
 * Browser-safe: backends that need Node (`native`) register themselves when they are started.
 */
import { getGradient, registerGradient, serialization } from '@tensorflow/tfjs-core';
import { LAYER_ACTIVATIONS } from './activations/layers_activations.js';
import { LiSHT } from './activations/lisht_layer.js';
import { registerLishtKernels } from './activations/register_kernels.js';
import { installTensorMethods } from './backends/tensor_methods.js';
import { FUSED_GRADIENTS } from './fused/gradients.js';
import { KERAS_ACTIVATION_CLASSES } from './keras/activations.js';
import { KerasELU, KerasReLU } from './keras/layers.js';
import { JsOrthogonal } from './models/orthogonal.js';
import { ZeroPadShortcut } from './models/zero_pad_shortcut.js';

installTensorMethods();
registerLishtKernels();
for (const config of FUSED_GRADIENTS) {
  if (getGradient(config.kernelName) === undefined) registerGradient(config);
}
// Names resolved by tfjs-layers when a layer is built from a string or a model is loaded.
// The Keras activations and layer that loadKerasModel maps Keras's names to (src/keras/).
for (const cls of [...LAYER_ACTIVATIONS, LiSHT, ZeroPadShortcut, JsOrthogonal, ...KERAS_ACTIVATION_CLASSES, KerasReLU, KerasELU]) {
  serialization.registerClass(cls as unknown as serialization.SerializableConstructor<serialization.Serializable>);
}
