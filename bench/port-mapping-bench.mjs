// Entry point for the port-mapping bench (plain node): registers tsx so the TypeScript bench and the lab
// helpers load without a separate build step, then runs bench/port-mapping-bench.ts.
import { register } from 'tsx/esm/api';

register();
await import('./port-mapping-bench.ts');
