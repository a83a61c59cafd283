import { type Answer, type AnswerInput, answer, type Mark } from '../answer.js';
import { h, replaceChildren } from './dom.js';

/**
 * The `#answer` section's body (`#answer-body`): the plain answer (answer.ts) as a list of statements, each
 * `li[data-mark]` (`ok`, `warn`, `fail`, `unknown`) with a symbol besides its colour (✓ ! ✗ ?), then "What to
 * do". `#answer-body[data-answer]` carries the first statement's mark once an answer is shown.
 */

const SYMBOL: Readonly<Record<Mark, string>> = { ok: '✓', warn: '!', fail: '✗', unknown: '?' };
const WORD: Readonly<Record<Mark, string>> = {
  ok: 'works',
  warn: 'with a limit',
  fail: 'does not work',
  unknown: 'not known',
};

/** The markup of `a`. */
function answerNodes(a: Answer): Node[] {
  const items = a.statements.map((s) =>
    h(
      'li',
      { class: `mark-${s.mark}`, 'data-mark': s.mark, 'data-key': s.key },
      h('span', { class: 'mark', 'aria-label': WORD[s.mark], role: 'img' }, SYMBOL[s.mark]),
      h(
        'span',
        { class: 'statement' },
        h('strong', {}, s.text),
        s.why ? h('span', { class: 'why' }, s.why) : null,
      ),
    ),
  );
  const nodes: Node[] = [h('ul', { class: 'answer-list' }, ...items)];
  if (a.todo.length > 0)
    nodes.push(
      h(
        'div',
        { class: 'answer-todo' },
        h('h3', {}, 'What to do'),
        h('ul', {}, ...a.todo.map((t) => h('li', {}, t))),
      ),
    );
  return nodes;
}

/** Shows the plain answer of `input` in `body`, replacing what was there, and sets `data-answer`. */
export function renderAnswer(body: HTMLElement, input: AnswerInput): void {
  const a = answer(input);
  replaceChildren(body, ...answerNodes(a));
  body.dataset.answer = a.statements[0]?.mark ?? 'unknown';
}
