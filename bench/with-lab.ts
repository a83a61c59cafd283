import { labAvailable } from '../src/lab/available.js';
import { createLab, destroyLab, type Lab } from '../src/lab/topology.js';

/**
 * Runs `body` in a fresh NAT lab (lab/topology.ts) and tears the lab down afterwards, also on Ctrl-C
 * or SIGTERM (then exits 130), so no namespace or server is left behind.
 * @param bench the benchmark's name, for the message when the lab cannot run here.
 * @returns false, with exit code 2 and a message on stderr, when the lab needs root or namespaces it lacks.
 */
export async function withLab(bench: string, body: (lab: Lab) => Promise<void>): Promise<boolean> {
  if (!(await labAvailable())) {
    process.stderr.write(`${bench}: the NAT lab needs root and network namespaces; nothing measured\n`);
    process.exitCode = 2;
    return false;
  }
  const lab = await createLab();
  const onSignal = (): void => {
    void destroyLab(lab).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await body(lab);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await destroyLab(lab);
  }
  return true;
}
