// Accessible tabs (WAI-ARIA tablist): click or arrow keys switch the panel; listeners hear which tab is shown.

export class Tabs {
  private readonly tabs: HTMLButtonElement[];
  private readonly listeners = new Set<(id: string) => void>();
  current: string;

  constructor(list: HTMLElement) {
    this.tabs = [...list.querySelectorAll<HTMLButtonElement>('[role=tab]')];
    this.current = this.tabs.find((t) => t.getAttribute('aria-selected') === 'true')?.id ?? this.tabs[0]!.id;
    for (const t of this.tabs) {
      t.addEventListener('click', () => this.show(t.id));
      t.addEventListener('keydown', (e) => {
        const i = this.tabs.indexOf(t);
        const next = e.key === 'ArrowRight' ? i + 1 : e.key === 'ArrowLeft' ? i - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? this.tabs.length - 1 : null;
        if (next === null) return;
        e.preventDefault();
        const tab = this.tabs[(next + this.tabs.length) % this.tabs.length]!;
        this.show(tab.id);
        tab.focus();
      });
    }
    this.show(this.current);
  }

  show(id: string): void {
    this.current = id;
    for (const t of this.tabs) {
      const on = t.id === id;
      t.setAttribute('aria-selected', String(on));
      t.tabIndex = on ? 0 : -1;
      const panel = document.getElementById(t.getAttribute('aria-controls') ?? '');
      if (panel) panel.hidden = !on;
    }
    for (const l of this.listeners) l(id);
  }

  onShow(listener: (id: string) => void): void {
    this.listeners.add(listener);
  }
}
