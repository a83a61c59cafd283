import type { BrowserReport } from '../../../report/browser-schema.js';
import { encodeShareFragment } from '../share-link.js';
import { byId } from './dom.js';

/**
 * The `#export` section: `#export-json` downloads `ice-doctor-report-<timestamp>.json`, `#copy-json` copies the
 * same JSON to the clipboard, `#share-link` fills `#share-url` with a link whose fragment carries the report
 * (share-link.ts: the fragment never reaches a server), and `#redact-ips` hides the visitor's addresses in
 * all three. `#export-status` says what happened, or why not. The buttons are disabled until there is a report.
 */

/** Where the panel gets the report: already exported (credentials removed, addresses on request). */
export type ReportSource = (redactIps: boolean) => BrowserReport;

/** `2026-11-21T07-40-32Z` from an ISO 8601 time: a file-name-safe timestamp. */
function fileTimestamp(iso: string): string {
  return iso.replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The mounted export controls; see the module comment. */
export class ExportPanel {
  readonly #buttons = ['export-json', 'copy-json', 'share-link'].map((id) => byId(id, HTMLButtonElement));
  readonly #redact = byId('redact-ips', HTMLInputElement);
  readonly #shareUrl = byId('share-url', HTMLInputElement);
  readonly #status = byId('export-status', HTMLElement);
  #source: ReportSource | null = null;

  /**
   * Wires the buttons. @param loc the page's location (origin of share links; whether the clipboard works).
   * @param httpsUrl the page over HTTPS, suggested when copying needs a secure context; null when there is none.
   */
  constructor(
    private readonly loc: Location,
    private readonly httpsUrl: string | null,
  ) {
    const [download, copy, share] = this.#buttons as [
      HTMLButtonElement,
      HTMLButtonElement,
      HTMLButtonElement,
    ];
    download.addEventListener('click', () => this.#act(() => this.#download()));
    copy.addEventListener('click', () => this.#act(() => this.#copy()));
    share.addEventListener('click', () => this.#act(() => this.#share()));
    this.#redact.addEventListener('change', () => {
      this.#shareUrl.value = '';
    });
  }

  /** Enables the buttons, exporting from `source` from now on. */
  enable(source: ReportSource): void {
    this.#source = source;
    for (const b of this.#buttons) b.disabled = false;
  }

  #report(): BrowserReport {
    if (!this.#source) throw new Error('there is no report yet');
    return this.#source(this.#redact.checked);
  }

  #act(action: () => Promise<string> | string): void {
    this.#status.classList.remove('fail');
    Promise.resolve()
      .then(action)
      .then(
        (done) => {
          this.#status.textContent = done;
        },
        (err: unknown) => {
          this.#status.classList.add('fail');
          this.#status.textContent = message(err);
        },
      );
  }

  #download(): string {
    const report = this.#report();
    const name = `ice-doctor-report-${fileTimestamp(report.startedAt)}.json`;
    const url = URL.createObjectURL(
      new Blob([JSON.stringify(report, null, 2)], { type: 'application/json' }),
    );
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    return `Downloaded ${name}${report.redacted.ips ? ' (IP addresses hidden)' : ''}; TURN credentials are never in it.`;
  }

  async #copy(): Promise<string> {
    const json = JSON.stringify(this.#report(), null, 2);
    if (!window.isSecureContext || !navigator.clipboard)
      throw new Error(
        `This browser allows copying only on a secure page (HTTPS or localhost), and ${this.loc.origin} is not one: use "Download JSON"${this.httpsUrl ? `, or open ${this.httpsUrl}` : ''}.`,
      );
    try {
      await navigator.clipboard.writeText(json);
    } catch (err) {
      throw new Error(`The browser refused to copy (${message(err)}): use "Download JSON".`);
    }
    return `Copied ${json.length} characters of JSON; TURN credentials are never in it.`;
  }

  async #share(): Promise<string> {
    const report = this.#report();
    const link = `${this.loc.origin}/${await encodeShareFragment(report)}`;
    this.#shareUrl.value = link;
    this.#shareUrl.select();
    return `Anyone with this link sees this report: it travels after the #, which browsers never send to a server.${report.redacted.ips ? '' : ' It includes your IP addresses: tick "Hide my IP addresses" first to leave them out.'}`;
  }
}
