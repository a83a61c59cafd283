/**
 * The dashboard export's CSV (src/web/admin/server/csv.ts): RFC 4180 quoting, and the leading `'` that keeps
 * a cell starting with `=`, `+`, `-`, `@`, tab or CR from being read as a formula; checked against a small
 * RFC 4180 reader written here, on fixed cases and on random text (fast-check).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvCell, csvLine } from '../../src/web/admin/server/csv.js';

/** Reads one CSV record ending in CRLF, per RFC 4180 §2 (quoted fields may hold commas, quotes, CR, LF). */
function readRecord(text: string): string[] {
  const cells: string[] = [];
  let i = 0;
  for (;;) {
    let cell = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (text[i] === '"' && text[i + 1] === '"') {
          cell += '"';
          i += 2;
        } else if (text[i] === '"') {
          i++;
          break;
        } else if (i >= text.length) throw new Error('unterminated quote');
        else cell += text[i++];
      }
    } else while (i < text.length && text[i] !== ',' && text[i] !== '\r') cell += text[i++];
    cells.push(cell);
    if (text[i] === ',') i++;
    else if (text.slice(i) === '\r\n') return cells;
    else throw new Error(`unexpected text at ${i}: ${JSON.stringify(text.slice(i))}`);
  }
}

/** Characters that matter to CSV and to spreadsheets, and some that do not. */
const CSV_CHARS = fc.constantFrom(
  'a',
  'Z',
  '1',
  ' ',
  ',',
  '"',
  "'",
  '\r',
  '\n',
  '=',
  '+',
  '-',
  '@',
  '\t',
  'é',
  '😀',
);

describe('dashboard CSV', () => {
  it('leaves plain cells alone and quotes commas, quotes and line breaks', () => {
    expect(csvCell('ACME ticket 7')).toBe('ACME ticket 7');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('')).toBe('');
    expect(csvLine(['a', 'b,c', ''])).toBe('a,"b,c",\r\n');
  });

  it('defuses formula starts with a leading apostrophe, before quoting', () => {
    expect(csvCell('=1+2')).toBe("'=1+2");
    expect(csvCell('+31 20 123')).toBe("'+31 20 123");
    expect(csvCell('-2')).toBe("'-2");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tx')).toBe("'\tx");
    expect(csvCell('\rx')).toBe('"\'\rx"');
    expect(csvCell('=HYPERLINK("http://evil.example","x")')).toBe(
      '"\'=HYPERLINK(""http://evil.example"",""x"")"',
    );
    expect(csvCell('a=1')).toBe('a=1');
  });

  it('reads back as the same cells (apostrophe added only before a formula start), for random text', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: CSV_CHARS, maxLength: 40 }), { minLength: 1, maxLength: 6 }),
        (cells) => {
          const back = readRecord(csvLine(cells));
          const expected = cells.map((c) => (/^[=+\-@\t\r]/.test(c) ? `'${c}` : c));
          return (
            JSON.stringify(back) === JSON.stringify(expected) &&
            back.every((cell) => !/^[=+\-@\t\r]/.test(cell))
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
