/**
 * Archive member paths come from the archive's author. A member path that is absolute or climbs
 * out with `..` would land outside any target folder, so such archives are refused whole, even
 * though this package never extracts to disk: a data set archive has no reason to hold them.
 */

/** Why a member path is unsafe, or undefined when it is a plain relative path. */
export function unsafeMemberPathReason(path: string): string | undefined {
  if (path.includes('\0')) return 'contains a NUL byte';
  if (path.startsWith('/') || path.startsWith('\\')) return 'absolute path';
  if (/^[A-Za-z]:/.test(path)) return 'absolute path (drive letter)';
  if (path.split(/[\\/]+/).includes('..')) return "climbs out of the target folder with '..'";
  return undefined;
}

/** `./a//b/` -> `a/b`: the form member names are compared in. */
export function normaliseMemberPath(path: string): string {
  return path
    .split(/\/+/)
    .filter((part) => part !== '' && part !== '.')
    .join('/');
}
