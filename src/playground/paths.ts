/** Addresses the playground's server and page agree on (browser-safe: no Node import). */

/** Where the page finds the archive given to `lisht playground --data`. */
export const DATA_URL = '/data/cifar-10-binary.tar.gz';
