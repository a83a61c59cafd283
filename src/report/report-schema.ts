import { z } from 'zod';
import { browserReportSchema } from './browser-schema.js';
import { diagnosisReportSchema, probeReportSchema, turnCheckReportSchema } from './schema.js';

/**
 * Every report ice-doctor writes, told apart by `kind` (all schemaVersion 1): `probe` (`ice-doctor probe
 * --json`), `turn-check`, `diagnosis` (`ice-doctor --json`) and `browser` (the web page's export). One
 * schema validates all of them, so a file from any source can be checked and read by the same code.
 */
export const reportSchema = z.discriminatedUnion('kind', [
  probeReportSchema,
  turnCheckReportSchema,
  diagnosisReportSchema,
  browserReportSchema,
]);

export type Report = z.infer<typeof reportSchema>;
