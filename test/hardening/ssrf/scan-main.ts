/**
 * Stand-alone scanner, run inside the test's network namespace:
 *   ip netns exec <ns> node --import tsx test/hardening/ssrf/scan-main.ts <job.json>
 * where the file holds `{"scan": ScanPlan}` or `{"control": ControlPlan}` (a file, as a long profile's plan
 * outgrows the 128 KiB a single argument may hold). Prints the ScanResult or ControlResult as one JSON
 * line on stdout; exits 1 with the error on stderr when the run fails.
 */
import { readFileSync } from 'node:fs';
import { type ControlPlan, runControl } from './control.js';
import { runScan, type ScanPlan } from './scan.js';

type Job = { scan: ScanPlan } | { control: ControlPlan };

async function main(): Promise<void> {
  const job = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as Job;
  const result = 'scan' in job ? await runScan(job.scan) : await runControl(job.control);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
