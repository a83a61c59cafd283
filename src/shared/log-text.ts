/** Characters of an attacker-controlled string that {@link logText} keeps, before its truncation mark. */
export const LOG_TEXT_MAX_CHARS = 200;

/**
 * Whether one code point (a lone surrogate counts as one) is unsafe in a log: C0 controls and DEL, C1
 * controls (U+0080–U+009F: 0x9B is CSI on terminals that read 8-bit controls), the Unicode line and
 * paragraph separators, the bidirectional embedding, override and isolate marks (they reorder what a
 * terminal shows), and lone surrogates.
 */
function unsafe(code: number): boolean {
  return (
    code < 0x20 ||
    (code >= 0x7f && code <= 0x9f) ||
    code === 0x2028 ||
    code === 0x2029 ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069) ||
    (code >= 0xd800 && code <= 0xdfff)
  );
}

/** `\xNN` for a code point up to U+00FF, `\uNNNN` above. */
function escaped(code: number): string {
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * A string an attacker chose (a header, a path, a user name), fit for one log field: its first
 * `maxChars` characters (default {@link LOG_TEXT_MAX_CHARS}; the rest is replaced by `…(+N chars)`, N the
 * characters cut), with every control character (C0, DEL, C1) escaped as `\xNN`, line separators,
 * bidirectional marks and lone surrogates as `\uNNNN`, and a backslash doubled (so that an escape cannot
 * be forged): a log line stays one line, short, and shows what was sent. `undefined` stays `undefined` (a
 * header that was not sent); an array (a repeated header) is joined with `, ` first. Never throws.
 */
export function logText(
  value: string | readonly string[] | undefined,
  maxChars = LOG_TEXT_MAX_CHARS,
): string | undefined {
  if (value === undefined) return undefined;
  const whole = typeof value === 'string' ? value : value.join(', ');
  const cut = whole.length > maxChars ? whole.slice(0, maxChars) : whole;
  let kept = '';
  for (const ch of cut) {
    const code = ch.codePointAt(0) ?? 0;
    kept += code === 0x5c ? '\\\\' : unsafe(code) ? escaped(code) : ch;
  }
  return cut.length < whole.length ? `${kept}…(+${whole.length - cut.length} chars)` : kept;
}
