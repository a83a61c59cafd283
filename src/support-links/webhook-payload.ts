import type { StoredReportSummary } from '../store/types.js';

/** The `report` member of a webhook body: the stored report's summary, times as ISO 8601 (UTC). */
export interface WebhookReportSummary {
  id: string;
  inviteId: string | null;
  label: string;
  receivedAt: string;
  startedAt: string;
  verdict: string;
  mapping: string | null;
  filtering: string | null;
  transportsOk: readonly string[];
  relayNeeded: boolean | null;
  tlsOnly: boolean;
}

/**
 * The raw body of the webhook POST of one collected report:
 * `{"event":"report.collected","report":{id, inviteId, label, receivedAt, startedAt, verdict, mapping,
 * filtering, transportsOk, relayNeeded, tlsOnly},"body":<the stored report JSON, byte for byte>}`.
 * @param reportJson the stored JSON text (already valid JSON: it was serialized by the ingest).
 */
export function webhookBody(summary: StoredReportSummary, reportJson: string): string {
  const report: WebhookReportSummary = {
    id: summary.id,
    inviteId: summary.inviteId,
    label: summary.label,
    receivedAt: new Date(summary.receivedAtMs).toISOString(),
    startedAt: new Date(summary.startedAtMs).toISOString(),
    verdict: summary.verdict,
    mapping: summary.mapping,
    filtering: summary.filtering,
    transportsOk: summary.transportsOk,
    relayNeeded: summary.relayNeeded,
    tlsOnly: summary.tlsOnly,
  };
  return `{"event":"report.collected","report":${JSON.stringify(report)},"body":${reportJson}}`;
}
