/**
 * DOM building without `innerHTML`: every string becomes a text node, so nothing from the network (candidate
 * lines, error texts, server URLs, a shared report) is ever parsed as HTML. Attributes are set one by one;
 * the page sets no `style` attribute (the CSP has no `'unsafe-inline'` for styles).
 */

/** What {@link h} accepts as a child: a node, text (as a text node), or nothing. */
export type Child = Node | string | null | undefined | false;

/**
 * Creates `<tag>` with `attrs` (set with `setAttribute`; `class` included) and `children` appended in order
 * (strings as text nodes; null, undefined and false skipped).
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Readonly<Record<string, string>> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, value);
  for (const child of children)
    if (child !== null && child !== undefined && child !== false) el.append(child);
  return el;
}

/**
 * The element with `id`, of the given class (`HTMLElement`, `HTMLButtonElement` …).
 * @throws Error when the page has no such element or it is of another class (a page/code mismatch).
 */
export function byId<T extends HTMLElement>(id: string, type: abstract new () => T): T {
  const el = document.getElementById(id);
  if (!(el instanceof type)) throw new Error(`the page has no #${id} of the expected kind`);
  return el;
}

/** Removes every child of `el`, then appends `children`. */
export function replaceChildren(el: Element, ...children: Child[]): void {
  el.replaceChildren(
    ...children.filter((c): c is Node | string => c !== null && c !== undefined && c !== false),
  );
}
