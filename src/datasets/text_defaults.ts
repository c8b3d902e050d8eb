/**
 * Defaults of the text data sets' tokenisation, in a module of their own so that the models
 * (which size their embedding from them) need not import the Node-only Sentiment140 reader.
 */

/** Words kept in the vocabulary, most frequent first (ids 0 and 1 are padding and unknown). */
export const DEFAULT_VOCABULARY_SIZE = 20_000;
/** Tokens per example after padding or truncation. */
export const DEFAULT_SEQUENCE_LENGTH = 40;
