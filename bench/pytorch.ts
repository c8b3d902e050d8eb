/** Finding the PyTorch the reference scripts run on, and the environment they run in. */
import { spawnSync } from 'node:child_process';

/**
 * The first `python3` that imports torch (the one on PATH, then Debian's, whose
 * `python3-torch` package is the usual way to have it), with an environment free of
 * `OPENBLAS_CORETYPE` / `OPENBLAS_L2_SIZE`: some machines set them to work around old OpenBLAS
 * bugs, and they slow PyTorch's CPU kernels about tenfold.
 */
export function pytorchCommand(): { command: string; env: NodeJS.ProcessEnv } | undefined {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  for (const command of ['python3', '/usr/bin/python3']) {
    if (spawnSync(command, ['-c', 'import torch'], { stdio: 'ignore', env }).status === 0) return { command, env };
  }
  return undefined;
}
