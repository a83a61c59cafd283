import { describe, expect, it } from 'vitest';
import { LOG_TEXT_MAX_CHARS, logText } from '../../src/shared/log-text.js';

describe('logText', () => {
  it('keeps a short printable string as it is; undefined stays undefined', () => {
    expect(logText('https://example.org:8443')).toBe('https://example.org:8443');
    expect(logText('café ☕ 𝄞')).toBe('café ☕ 𝄞');
    expect(logText(undefined)).toBeUndefined();
  });

  it('escapes C0 controls, DEL and C1 controls as \\xNN', () => {
    expect(logText('a\x00b\nc\rd\x1b[2Je\x7f')).toBe('a\\x00b\\x0ac\\x0dd\\x1b[2Je\\x7f');
    expect(logText('\x80\x85\x9b31m\x9f')).toBe('\\x80\\x85\\x9b31m\\x9f');
    expect(logText('\xa0é')).toBe('\xa0é');
  });

  it('escapes line separators, bidi marks and lone surrogates as \\uNNNN; keeps surrogate pairs', () => {
    expect(logText('a\u2028b\u2029c')).toBe('a\\u2028b\\u2029c');
    expect(logText('\u202egnp.exe\u2066x\u2069')).toBe('\\u202egnp.exe\\u2066x\\u2069');
    expect(logText('x\ud800y\udfffz')).toBe('x\\ud800y\\udfffz');
    expect(logText('\ud834\udd1e')).toBe('𝄞');
  });

  it('doubles a backslash, so a sent "\\x85" cannot pass for an escaped C1 byte', () => {
    expect(logText('\\x85')).toBe('\\\\x85');
    expect(logText('\x85')).toBe('\\x85');
  });

  it(`keeps the first ${LOG_TEXT_MAX_CHARS} characters and says how many were cut, before escaping`, () => {
    const long = `${'a'.repeat(LOG_TEXT_MAX_CHARS)}${'\x85'.repeat(60_000)}`;
    expect(logText(long)).toBe(`${'a'.repeat(LOG_TEXT_MAX_CHARS)}…(+60000 chars)`);
    expect(logText('\x85'.repeat(500))).toBe(`${'\\x85'.repeat(LOG_TEXT_MAX_CHARS)}…(+300 chars)`);
    expect(logText('abcdef', 3)).toBe('abc…(+3 chars)');
    expect(logText('a'.repeat(LOG_TEXT_MAX_CHARS))).toBe('a'.repeat(LOG_TEXT_MAX_CHARS));
  });

  it('joins a repeated header with ", "', () => {
    expect(logText(['a', 'b\x9b'])).toBe('a, b\\x9b');
  });
});
