/**
 * CSV (RFC 4180) for the dashboard's export, safe to open in a spreadsheet: a cell that starts with `=`, `+`,
 * `-`, `@`, a tab or a carriage return (what Excel, LibreOffice and Google Sheets read as a formula; OWASP
 * "CSV Injection") gets a leading `'`, so a label like `=HYPERLINK(…)` stays text.
 */

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One cell: formula starts defused with a leading `'`, then quoted with `"` (inner `"` doubled) when it holds
 * a comma, a quote, CR or LF (RFC 4180 §2.5–2.7).
 */
export function csvCell(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** One record: the cells ({@link csvCell}) joined by commas, ended by CRLF (RFC 4180 §2.1). */
export function csvLine(cells: readonly string[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}
