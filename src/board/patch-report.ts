// Text and JSON forms of the kernel patch report (KernelPatchWatch): per update, sites old -> new, writer, stop times.
import { type KernelPatchWatch, type PatchUpdate, type TextChange, hexBytes } from './kernel-patch-watch.js';

/** At most this many changes per update are printed in full (the rest are counted). */
const SHOWN = 8;

function hx(n: number | bigint): string {
  return `0x${n.toString(16)}`;
}

function changeLine(c: TextChange): string {
  const head = `    ${c.site ? 'site' : 'text'} ${c.where} @ ${hx(c.va)} (pa ${hx(c.pa)}): ${c.oldText}  ->  ${c.newText}`;
  if (!c.model) return head;
  return `${head}\n      lab model (pre-6.16 RISC-V site): ${c.model.text}  [${c.model.same ? 'same bytes' : `DIFFERENT: model ${hexBytes(c.model.new)}, kernel ${hexBytes(c.new)}`}]`;
}

function updateLines(u: PatchUpdate, harts: number): string[] {
  const via = u.via === 'stop_machine' ? 'under stop_machine' : u.via === 'direct' ? 'outside stop_machine' : 'parallel mode: no stop_machine timing';
  const lines = [
    `  update ${u.index}: ${via}; written by hart ${u.writers.join(', ')} (${u.stores} stores): ` +
      `${u.sites.length} call site(s) changed, ${u.rewrittenSame} rewritten with the same bytes, ${u.other.length} other text change(s)`,
  ];
  const changes = [...u.sites, ...u.other];
  for (const c of changes.slice(0, SHOWN)) lines.push(changeLine(c));
  if (changes.length > SHOWN) {
    const kinds = new Map<string, number>();
    for (const c of changes.slice(SHOWN)) kinds.set(`${c.oldText}  ->  ${c.newText}`, (kinds.get(`${c.oldText}  ->  ${c.newText}`) ?? 0) + 1);
    for (const [k, n] of kinds) lines.push(`    ... and ${n} more: ${k}`);
  }
  const modelled = u.sites.filter((c) => c.model);
  if (modelled.length > 0) {
    const same = modelled.filter((c) => c.model!.same).length;
    lines.push(`    lab model: ${same}/${modelled.length} changed sites hold the bytes the model writes`);
  }
  if (u.stopTimes.length > 0) {
    lines.push(`    multi_cpu_stop: ${u.stopTimes.map((t) => `hart ${t.hart}${t.wrote ? ' (writer)' : ''} ${t.instructions.toLocaleString('en-US')} insns / ${t.hostMs.toFixed(2)} ms`).join('; ')}`);
  }
  const fence = Array.from({ length: harts }, (_, h) => u.fenceI.find((f) => f.hart === h) ?? { hart: h, smode: 0, mmode: 0 });
  lines.push(`    fence.i: ${fence.map((f) => `hart ${f.hart} ${f.smode} kernel + ${f.mmode} firmware`).join('; ')}; SBI remote fence.i calls: ${u.remoteFenceI}`);
  return lines;
}

/** The report printed after `ftrace-lab boot`. */
export function formatPatchReport(w: KernelPatchWatch, harts: number): string {
  const lines = [`== the kernel's own code patching, seen from outside (${w.siteCount} ftrace call sites in mcount_loc; ${w.updates.length} update(s)) ==`];
  for (const u of w.updates) lines.push(...updateLines(u, harts));
  if (w.lost > 0) lines.push(`  WARNING: ${w.lost} watch events were lost (the log filled up between two drains)`);
  return lines.join('\n');
}

/** The same as JSON-friendly data (bigints and bytes as hex strings). */
export function patchReportJson(w: KernelPatchWatch): unknown {
  const ch = (c: TextChange) => ({
    where: c.where, site: c.site, va: hx(c.va), pa: hx(c.pa), old: hexBytes(c.old), new: hexBytes(c.new), oldText: c.oldText, newText: c.newText,
    model: c.model ? { new: hexBytes(c.model.new), text: c.model.text, same: c.model.same } : undefined,
  });
  return {
    sites: w.siteCount,
    lostEvents: w.lost,
    updates: w.updates.map((u) => ({ ...u, sites: u.sites.map(ch), other: u.other.map(ch) })),
  };
}
