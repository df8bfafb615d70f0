// The Machine panel: mode, harts, seed, and the guest (synthetic kernel, or an ELF from the file input or a drop).
import type { GuestSpec, SessionConfig } from '../session.js';
import type { App } from './app.js';
import { $ } from './dom.js';

const MAX_ELF_BYTES = 64 << 20;

export function setupBootForm(app: App): void {
  const form = $<HTMLFormElement>('#boot-form');
  const fileInput = $<HTMLInputElement>('#boot-elf');
  const drop = $('#drop-zone');
  const mode = $<HTMLSelectElement>('#boot-mode');
  let elf: { name: string; bytes: Uint8Array } | null = null;

  if (!app.isolated) {
    const parallel = mode.querySelector<HTMLOptionElement>('option[value=parallel]')!;
    parallel.disabled = true;
    parallel.textContent += ' (needs cross-origin isolation)';
    mode.value = 'deterministic';
  }
  mode.value = app.config.mode;

  const radio = (v: string) => form.querySelector<HTMLInputElement>(`input[name=guest][value=${v}]`)!;

  const takeFile = async (file: File | undefined): Promise<void> => {
    if (!file) return;
    if (file.size > MAX_ELF_BYTES) {
      app.showError(new Error(`${file.name} is ${file.size} bytes; the page takes ELF files up to ${MAX_ELF_BYTES} bytes`), 'ELF upload');
      return;
    }
    elf = { name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) };
    $('#elf-name').textContent = `${file.name} (${file.size} bytes)`;
    radio('elf').checked = true;
    // A chosen file boots at once (the user asked for this guest); errors leave the running machine alone.
    await app.boot(readConfig());
  };

  fileInput.addEventListener('change', () => void takeFile(fileInput.files?.[0]));
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    void takeFile(e.dataTransfer?.files?.[0]);
  });

  const int = (name: string, lo: number, hi: number): number => {
    const input = form.elements.namedItem(name) as HTMLInputElement;
    const v = Number(input.value);
    if (!Number.isInteger(v) || v < lo || v > hi) throw new Error(`${input.labels?.[0]?.textContent ?? name} must be an integer from ${lo} to ${hi}`);
    return v;
  };

  function readConfig(): SessionConfig {
    const data = new FormData(form);
    let guest: GuestSpec;
    if (data.get('guest') === 'elf') {
      if (!elf) throw new Error('choose an ELF file first (or drop one on the drop zone)');
      guest = { kind: 'elf', ...elf };
    } else {
      guest = { kind: 'kernel', functions: int('functions', 1, 20000), prefix: String(data.get('prefix') ?? 'kfunc_'), seed: int('kernelSeed', 0, 2 ** 31) };
    }
    return {
      ...app.config,
      mode: data.get('mode') === 'parallel' && app.isolated ? 'parallel' : 'deterministic',
      harts: int('harts', 1, 8),
      seed: int('seed', 0, 2 ** 31),
      guest,
    };
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    let cfg: SessionConfig;
    try {
      cfg = readConfig();
    } catch (err) {
      app.showError(err, 'Machine settings');
      return;
    }
    void app.boot(cfg);
  });

  app.onSession((s) => {
    const c = s.config;
    const recs = s.lab.core.records.records.length;
    const rejected = s.lab.rejected.length;
    $('#guest-summary').textContent =
      (c.guest.kind === 'kernel' ? `Kernel: ${c.guest.functions} functions '${c.guest.prefix}N', running forever on every hart.` : `ELF ${c.guest.name}.`) +
      ` ${recs} patchable sites` +
      (rejected ? `, ${rejected} left untraced (${s.lab.rejected.slice(0, 3).map((r) => r.symbol).join(', ')}${rejected > 3 ? ', …' : ''})` : '') +
      '.';
  });
}
