// Small DOM helpers for the page (no framework): element lookup, element creation, error text.

/** The element matching `selector` (throws when the page's markup lacks it: a bug, not user input). */
export function $<T extends Element = HTMLElement>(selector: string, root: ParentNode = document): T {
  const found = root.querySelector<T>(selector);
  if (!found) throw new Error(`page markup has no ${selector}`);
  return found;
}

type Attrs = Record<string, string | number | boolean | undefined>;

/** Creates an element with attributes (false/undefined are left out) and children. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k === 'class') e.className = String(v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  e.append(...children);
  return e;
}

/** Replaces the options of a <select> (value = label), keeping the selection when it still exists. */
export function setOptions(select: HTMLSelectElement, values: readonly string[], selected?: string): void {
  const keep = selected ?? select.value;
  select.replaceChildren(...values.map((v) => el('option', { value: v }, v)));
  if (values.includes(keep)) select.value = keep;
}

/** "ElfError ELF_NOT_ELF: message" for the library's typed errors, the message otherwise. */
export function errorText(err: unknown): string {
  const e = err as { name?: string; code?: string; message?: string };
  if (e && typeof e === 'object' && typeof e.code === 'string') return `${e.name ?? 'Error'} ${e.code}: ${e.message ?? ''}`;
  return e?.message ?? String(err);
}

/** Thousands separators with thin spaces (readable counters). */
export function grouped(n: number | bigint): string {
  return n.toString().replace(/\B(?=(\d{3})+(?!\d))/g, '\u2009');
}
