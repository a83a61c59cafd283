import {
  DEFAULT_QUALITY_STREAM_MS,
  QUALITY_STREAM_RANGE_MS,
  type QualityOptions,
} from '../../client/turn-check/quality.js';
import { qualityMinTimeoutMs } from '../../client/turn-check/quality-step.js';
import { ConfigError } from '../../errors.js';
import { parseWhole } from './flag-values.js';

/**
 * The relay quality measure of `turn-check` from its flags: false with `--no-quality` (commander sets
 * `quality: false`), else a stream of `--quality-duration` ms (default 1000).
 * @param quality commander's value of `--no-quality` (true unless given).
 * @param duration the text of `--quality-duration`, or undefined.
 * @param timeoutMs `--timeout` in ms: a `--quality-duration` whose measure can never fit in it is refused.
 * @throws ConfigError `--quality-duration: must be a whole number of milliseconds (200–10000), got '50'`;
 *   `--quality-duration` with `--no-quality`; a `--quality-duration` that needs a longer `--timeout`.
 */
export function parseQualityFlags(
  quality: boolean,
  duration: string | undefined,
  timeoutMs = Number.POSITIVE_INFINITY,
): QualityOptions | false {
  if (!quality && duration !== undefined)
    throw new ConfigError('--quality-duration: not with --no-quality (give one or the other)');
  if (!quality) return false;
  if (duration === undefined) return { streamMs: DEFAULT_QUALITY_STREAM_MS };
  const streamMs = parseWhole(
    '--quality-duration',
    duration,
    QUALITY_STREAM_RANGE_MS,
    'a whole number of milliseconds',
  );
  const needMs = qualityMinTimeoutMs(streamMs);
  if (needMs > timeoutMs)
    throw new ConfigError(
      `--quality-duration ${streamMs}: the measure and the steps after it need at least ${needMs} ms, more than --timeout ${timeoutMs}: raise --timeout or shorten --quality-duration`,
    );
  return { streamMs };
}
