// Entry point for `npm run bench:lab-probe` (plain node): registers tsx so the TypeScript bench and the NAT
// lab helpers in test/natlab/ load without a separate build step, then runs bench/lab-probe-bench.ts.
import { register } from 'tsx/esm/api';

register();
await import('./lab-probe-bench.ts');
