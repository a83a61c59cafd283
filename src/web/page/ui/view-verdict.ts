import type { Verdict } from '../../../report/browser-schema.js';
import { h, replaceChildren } from './dom.js';

/**
 * The `#verdict` section: one or two sentences and the facts behind them (verdict.ts), the facts folded
 * (`details.facts-fold`, closed). The section's
 * `data-verdict` attribute carries the verdict's code and is set only once a verdict is reached: automation
 * waits for `[data-verdict]`.
 */

/** Shows `verdict` in `section` (its `.verdict-body` child) and sets `data-verdict`. */
export function renderVerdict(section: HTMLElement, verdict: Verdict): void {
  const body = section.querySelector('.verdict-body') ?? section;
  replaceChildren(
    body,
    h('p', { class: 'verdict-text' }, verdict.text),
    h('p', { class: 'verdict-code' }, 'code ', h('code', {}, verdict.code)),
    h(
      'details',
      { class: 'facts-fold' },
      h('summary', {}, `The facts behind it (${verdict.facts.length})`),
      h('ul', { class: 'facts' }, ...verdict.facts.map((f) => h('li', {}, f))),
    ),
  );
  section.dataset.verdict = verdict.code;
}
