/** LiSHT and the activation zoo for TensorFlow.js. */
export { lisht } from './ops/lisht.js';
export { Lisht, LishtGrad, type LishtInputs, type LishtGradInputs } from './kernel_names.js';
export { COMPOSITE_BACKENDS } from './register_kernels.js';
export { compositeLishtConfigs } from './kernels/lisht_composite.js';
export { lishtScalar, lishtDerivativeScalar } from './lisht_math.js';
export { LishtActivation, LeakyReluActivation, SiluActivation, LEAKY_RELU_ALPHA } from './layers_activations.js';
export { LiSHT, lishtLayer } from './lisht_layer.js';
export {
  ACTIVATION_NAMES,
  ACTIVATION_ALIASES,
  PRELU_INITIAL_ALPHA,
  activations,
  getActivation,
  resolveActivationName,
  type ActivationName,
  type ActivationSpec,
} from './zoo.js';
