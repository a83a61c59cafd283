import { config } from 'zod';

/**
 * Turns zod's JIT off before any schema is built. zod probes `new Function('')` when it builds an object
 * schema (to compile a faster parser), and the page's CSP (`script-src 'self'`, no `'unsafe-eval'`) turns that
 * probe into a `securitypolicyviolation` report even though zod catches the error. Imported first by main.ts,
 * so it runs before the modules that build schemas.
 */
config({ jitless: true });
