/**
 * Looking inside a run: gradient flow recorded while training, and `inspect`'s weight
 * histograms, activation maps and loss landscapes.
 */
export { inspect, resolveInspectOptions, DEFAULTS as INSPECT_DEFAULTS, type InspectOptions, type InspectEvent, type InspectHooks } from './inspect.js';
export { openTarget, pickTrials, FROM_STORE, type InspectTarget, type TargetModel, type TargetOptions } from './targets.js';
export {
  GradientFlowCallback,
  measureGradientFlow,
  probeBatch,
  DEFAULT_PROBE_SIZE,
  DEFAULT_SATURATION_EPSILON,
  type GradientFlowOptions,
  type ProbeBatch,
} from '../diagnostics/gradient_flow.js';
export { activationSites, recordActivations, disposeRecorded, flatLayers, type ActivationSite, type RecordedActivation } from '../diagnostics/probe.js';
export { filterNormalize, filterNorms, randomDirection } from './directions.js';
export { LossEvaluator, interpolate1d, surface2d, linspace, snapshotWeights, assignWeights } from './landscape.js';
export { contourLines, contourLevels, type ContourLine } from './contours.js';
export { inspectSections, readInspectData, INSPECT_DIR, INSPECT_JSON } from './report.js';
export { INITIAL_DIR, MODELS_DIR } from '../experiments/run_folder.js';
export type * from './types.js';
export { gradientFlowSection, gradientFlowChart, type GradientFlowRun, type GradientFlowSectionOptions } from '../reports/gradient_flow.js';
