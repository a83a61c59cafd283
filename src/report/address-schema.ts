import { z } from 'zod';

/**
 * A transport address as every report writes it: IP literal (no brackets), port 0–65535, family. Its own
 * file so the report's part-schemas (`turn-*-schema.ts`) and `schema.ts` can all use it without a cycle.
 */
export const transportAddressSchema = z.object({
  address: z.string(),
  port: z.number().int().min(0).max(65535),
  family: z.enum(['IPv4', 'IPv6']),
});
