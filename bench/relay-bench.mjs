// Entry point for `npm run bench` (plain node): registers tsx so the TypeScript relay bench and the src/
// and lab/ modules it reuses load without a separate build step, then runs bench/relay/main.ts.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./relay/main.ts');
await main(process.argv.slice(2));
