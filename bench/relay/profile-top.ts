/**
 * Top self-time functions of a V8 CPU profile (`node --cpu-prof`, e.g. from `relay-bench.mjs --cpu-prof DIR`).
 *
 * Usage: `node --import tsx bench/relay/profile-top.ts FILE.cpuprofile [N]` (N defaults to 25).
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

/** The parts of a `.cpuprofile` (Chrome DevTools Protocol `Profiler.Profile`) read here. */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

/** One function's share of the samples: self time in ms and percent of the profile. */
export interface SelfTime {
  name: string;
  selfMs: number;
  percent: number;
}

/** Self time per function (by name, file and line), largest first. */
export function selfTimes(profile: CpuProfile): SelfTime[] {
  const nameOf = new Map<number, string>();
  for (const n of profile.nodes) {
    const { functionName, url, lineNumber } = n.callFrame;
    const where = url ? ` ${basename(url)}:${lineNumber + 1}` : '';
    nameOf.set(n.id, `${functionName || '(anonymous)'}${where}`);
  }
  const byName = new Map<string, number>();
  let totalUs = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    totalUs += us;
    const name = nameOf.get(id) ?? '?';
    byName.set(name, (byName.get(name) ?? 0) + us);
  });
  return [...byName]
    .map(([name, us]) => ({ name, selfMs: us / 1000, percent: totalUs > 0 ? (100 * us) / totalUs : 0 }))
    .sort((a, b) => b.selfMs - a.selfMs);
}

const [file, count] = process.argv.slice(2);
if (file) {
  const top = selfTimes(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile).slice(0, Number(count ?? 25));
  for (const t of top)
    process.stdout.write(
      `${t.percent.toFixed(1).padStart(5)}%  ${t.selfMs.toFixed(0).padStart(7)} ms  ${t.name}\n`,
    );
}
