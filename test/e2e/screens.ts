/**
 * The report page's layout checks shared by the Chromium and Firefox screenshot tests: the viewports, what
 * is measured in the page, and where the screenshots go (`test-results/screenshots/`, gitignored).
 */
import { join } from 'node:path';
import { REPO_ROOT } from '../../lab/paths.js';

/** Phone, tablet and desktop widths (CSS px) with a typical height each. */
export const VIEWPORTS = [
  { width: 390, height: 844 },
  { width: 768, height: 1024 },
  { width: 1280, height: 800 },
] as const;

/** Where the screenshots are saved. */
export const SCREENSHOT_DIR = join(REPO_ROOT, 'test-results', 'screenshots');

/** What {@link measureLayout} reads in the page. */
export interface Layout {
  innerWidth: number;
  innerHeight: number;
  /** `document.documentElement.scrollWidth`: wider than `innerWidth` means the page scrolls sideways. */
  scrollWidth: number;
  /** The top of `#answer` in document coordinates (CSS px). */
  answerTop: number;
  /** How many statements the answer shows (`#answer li[data-mark]`). */
  statements: number;
  /** Up to 5 elements whose right edge is beyond `innerWidth` (tag#id.class and width), for the message. */
  overflowing: string[];
}

/**
 * Runs in the page (self-contained: both drivers serialise it). Opens every `<details>` when `openDetails`,
 * so the tables inside are measured too.
 */
export function measureLayout(openDetails: boolean): Layout {
  if (openDetails) for (const d of document.querySelectorAll('details')) d.open = true;
  const answer = document.querySelector('#answer');
  const overflowing = [...document.querySelectorAll<HTMLElement>('body *')]
    .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5)
    .slice(0, 5)
    .map(
      (el) =>
        `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.split(' ').join('.')}` : ''} ${Math.round(el.getBoundingClientRect().width)}px`,
    );
  return {
    innerWidth: window.innerWidth,
    innerHeight: window.innerHeight,
    scrollWidth: document.documentElement.scrollWidth,
    answerTop: answer ? answer.getBoundingClientRect().top + window.scrollY : Number.POSITIVE_INFINITY,
    statements: document.querySelectorAll('#answer li[data-mark]').length,
    overflowing,
  };
}
