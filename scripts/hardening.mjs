// `npm run hardening [-- --long]`: runs the hardening suite (test/hardening/) with the short profile CI
// uses, or with --long the full counts (1,000,000 fuzzed messages, 10,000 churn cycles, a 10-minute soak).
// The suite prints its summary table at the end of the run.
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

let values;
try {
  ({ values } = parseArgs({ options: { long: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } }));
} catch (err) {
  process.stderr.write(`${err.message}\nUsage: npm run hardening [-- --long]\n`);
  process.exit(2);
}
if (values.help) {
  process.stdout.write('Usage: npm run hardening [-- --long]\n  --long  full counts (about 20 minutes)\n');
  process.exit(0);
}
const result = spawnSync('npx', ['vitest', 'run', 'test/hardening'], {
  stdio: 'inherit',
  env: { ...process.env, HARDENING_PROFILE: values.long ? 'long' : 'short' },
});
process.exit(result.status ?? 1);
