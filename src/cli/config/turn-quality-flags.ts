import {
  DEFAULT_QUALITY_STREAM_MS,
  QUALITY_STREAM_RANGE_MS,
  type QualityOptions,
} from '../../client/turn-check/quality.js';
import { parseWhole } from './flag-values.js';

/**
 * The relay quality measure of `turn-check` from its flags: false with `--no-quality` (commander sets
 * `quality: false`), else a stream of `--quality-duration` ms (default 1000).
 * @param quality commander's value of `--no-quality` (true unless given).
 * @param duration the text of `--quality-duration`, or undefined.
 * @throws ConfigError `--quality-duration: must be a whole number of milliseconds (200–10000), got '50'`.
 */
export function parseQualityFlags(quality: boolean, duration: string | undefined): QualityOptions | false {
  if (!quality) return false;
  if (duration === undefined) return { streamMs: DEFAULT_QUALITY_STREAM_MS };
  return {
    streamMs: parseWhole(
      '--quality-duration',
      duration,
      QUALITY_STREAM_RANGE_MS,
      'a whole number of milliseconds',
    ),
  };
}
