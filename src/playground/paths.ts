/** Addresses the playground's server and page agree on (browser-safe: no Node import). */

/** Where the page finds the archive given to `lisht playground --data`. */
export const DATA_URL = '/data/cifar-10-binary.tar.gz';

/**
 * What served the page, in its `<meta name="lisht-site">`: the built page says `server` (a
 * `lisht playground` with `--data`); the server rewrites it without `--data`, and `--build`
 * for static hosts, so that the page asks for an archive only where one is served.
 */
export type SiteKind = 'server' | 'server-without-data' | 'static';

/** The page's `<meta>` for `kind`. */
export const siteMark = (kind: SiteKind): string => `<meta name="lisht-site" content="${kind}">`;
