/**
 * The command line's commands as its top-level help lists them: name, usage term and one-line
 * description, with no imports, so that `lisht --help` loads no command module (and no
 * TensorFlow.js). Each command module takes its description from here; a test checks that the
 * terms are the ones commander derives from the registered commands.
 */
export const COMMANDS = {
  bench: {
    term: 'bench [options]',
    description: 'Time training steps of a model on a backend (median ms/step after warm-up)',
  },
  compare: {
    term: 'compare [options]',
    description: "Train the same model once per activation on identical data and seed (the original article's LiSHT vs ReLU experiment)",
  },
  convert: {
    term: 'convert [options] <in> <out>',
    description: 'Convert a model between Keras (.keras, legacy .h5) and TensorFlow.js (a folder with model.json); the direction follows the names',
  },
  datasets: {
    term: 'datasets',
    description: 'List, download and describe the data sets',
  },
  db: {
    term: 'db',
    description: 'Manage results databases',
  },
  inspect: {
    term: 'inspect [options] [run]',
    description: 'Look inside a finished comparison, or stored trials of one data set, model and seed: weight histograms, activation maps, loss landscapes (1-D and filter-normalised 2-D), gradient flow; adds them to the report.html',
  },
  playground: {
    term: 'playground [options]',
    description: 'Serve the browser playground (activation explorer, toy classifier, the CIFAR-10 experiment) on this machine',
  },
  report: {
    term: 'report [options] [run]',
    description: 'Write a self-contained HTML report (curves with bands over seeds, accuracy bars with 95% CIs, confusion matrices, sample predictions, tables) and PNG charts',
  },
  results: {
    term: 'results [options] [run]',
    description: 'Print the results of the experiments in a database: test accuracy over seeds with 95% CIs, t-tests against the baseline, epochs to a target accuracy',
  },
  run: {
    term: 'run [options] <spec>',
    description: 'Run every unfinished trial of an experiment spec (datasets x models x seeds x activations), recording everything in a SQLite database or PostgreSQL',
  },
  show: {
    term: 'show [options] <name>',
    description: "Show an image of a data set with its label and class name (the article's show_img): as a PNG, or in the terminal",
  },
  summary: {
    term: 'summary [options]',
    description: 'Print the Keras-style summary of a model (layers, output shapes, parameters)',
  },
  worker: {
    term: 'worker [options]',
    description: 'Work on the trials registered in a database (by lisht run SPEC --db URL): claim one, train it, record it, claim the next. Run one on every machine that reaches the database; it ends once every trial has ended (--wait: keeps waiting for new ones)',
  },
} as const;

export type CommandName = keyof typeof COMMANDS;

/**
 * Commands whose modules reach no TensorFlow.js (checked by test/cli/startup.test.ts): the
 * command line starts them without loading it or registering anything with it.
 */
export const WITHOUT_TFJS: readonly CommandName[] = ['datasets', 'db', 'playground', 'results', 'show'];

/** The command `argv` runs, or whose help it asks for (`lisht help run`), if it names one. */
export function commandOf(argv: readonly string[]): CommandName | undefined {
  const words = argv.filter((a) => !a.startsWith('-'));
  const name = words[0] === 'help' ? words[1] : words[0];
  return name !== undefined && Object.hasOwn(COMMANDS, name) ? (name as CommandName) : undefined;
}

