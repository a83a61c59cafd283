/**
 * The value of one series in a Prometheus text exposition (format 0.0.4), e.g.
 * `metricValue(text, 'ice_doctor_turn_denied_peers_total', 'method="Send"')`; 0 when it is absent.
 * @param labels the label set exactly as printed between the braces, or '' for a series without labels.
 */
export function metricValue(text: string, name: string, labels = ''): number {
  const prefix = labels ? `${name}{${labels}} ` : `${name} `;
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  return line ? Number(line.slice(prefix.length)) : 0;
}

/**
 * Fetches a metrics endpoint's exposition.
 * @throws Error when it does not answer 200 within `timeoutMs`.
 */
export async function scrape(url: string, timeoutMs = 5_000): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
  return res.text();
}
