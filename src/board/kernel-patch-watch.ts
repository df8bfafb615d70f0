// The kernel's own code patching seen from outside: stores into its text grouped into updates (ftrace_modify_all_code
// runs under stop_machine on RISC-V before 6.16), with the sites changed, the writing hart, multi_cpu_stop time and fence.i.
import { auipcT0For, jalrT0For, NOP4 } from '../ftrace/insn.js';
import { disassembleWord } from '../isa/disasm.js';
import type { Machine } from '../machine/machine.js';
import { type WatchEvent, WatchLog } from './board-io.js';
import type { KernelSymbols } from './kernel-symbols.js';

/** SBI RFENCE extension ("RFNC") and its remote_fence_i function (SBI spec v1.0, chapter 8). */
export const SBI_EXT_RFENCE = 0x52464e43;
export const SBI_RFENCE_FENCE_I = 0;
/** Events the watch log holds between drains. */
const LOG_CAPACITY = 1 << 15;

/** One changed range of text: a call site or another patched instruction (e.g. the trampoline's ftrace_call). */
export interface TextChange {
  pa: number;
  va: bigint;
  /** `ksys_write` for a call site, `ftrace_caller+0x32` for other text. */
  where: string;
  /** True when pa is an ftrace call site (listed in mcount_loc). */
  site: boolean;
  old: Uint8Array;
  new: Uint8Array;
  oldText: string;
  newText: string;
  /** The lab's model of the pre-6.16 RISC-V site for this change (call sites only): bytes it would write. */
  model?: { new: Uint8Array; text: string; same: boolean };
}

/** How long one hart spent in multi_cpu_stop during an update. */
export interface StopTime {
  hart: number;
  /** Guest instructions from its entry into multi_cpu_stop to its return. */
  instructions: number;
  /** Host milliseconds between the same two points (deterministic mode: one thread runs all harts). */
  hostMs: number;
  wrote: boolean;
}

export interface PatchUpdate {
  index: number;
  /** 'stop_machine': the stores happened while harts were in multi_cpu_stop; 'direct': outside any stop_machine. */
  via: 'stop_machine' | 'direct' | 'unknown';
  /** Harts that stored into the text. */
  writers: number[];
  stores: number;
  /** Changed call sites (whole 8-byte site). */
  sites: TextChange[];
  /** Changed text outside call sites. */
  other: TextChange[];
  /** Call sites written with the bytes they already held. */
  rewrittenSame: number;
  /** multi_cpu_stop time per hart (deterministic mode only). */
  stopTimes: StopTime[];
  /** fence.i executed during the update, per hart (S-mode = the kernel, M-mode = OpenSBI on its behalf). */
  fenceI: { hart: number; smode: number; mmode: number }[];
  /** SBI remote fence.i calls (RFENCE extension) made during the update. */
  remoteFenceI: number;
}

export interface PatchWatchOptions {
  machine: Machine;
  symbols: KernelSymbols;
  image: Uint8Array;
  /** Guest physical address of RAM the guest does not use, for the watch log (LOG_CAPACITY * 32 bytes). */
  logAt: number;
  /** Deterministic mode: stop harts at multi_cpu_stop's entry and return (exact per-hart stop times). */
  breakpoints: boolean;
}

interface OpenStop {
  entryRetired: bigint;
  entryMs: number;
  ra: bigint;
}

/** Watches a booting kernel's text and turns its stores into PatchUpdate records. */
export class KernelPatchWatch {
  readonly updates: PatchUpdate[] = [];
  private readonly log: WatchLog;
  private readonly shadow: Uint8Array;
  private readonly textPa: number;
  private readonly sites: Set<number>;
  private readonly ftraceCallerPa: number;
  private readonly multiCpuStop: bigint | undefined;
  private current: (PatchUpdate & { before: Map<number, number> }) | undefined;
  private readonly open = new Map<number, OpenStop>();
  private episode: StopTime[] | undefined;
  private quietTicks = 0;
  /** Total watch events seen (all kinds). */
  events = 0;

  constructor(private readonly o: PatchWatchOptions) {
    const s = o.symbols;
    this.textPa = s.pa(s.va('_stext'));
    const textEnd = s.pa(s.va('_etext'));
    this.shadow = o.image.slice(s.offset(s.va('_stext')), s.offset(s.va('_etext')));
    this.sites = new Set(s.mcountLoc(o.image).map((va) => s.pa(va)));
    this.ftraceCallerPa = s.pa(s.va('ftrace_caller'));
    this.log = new WatchLog(o.machine.wasm, {
      stores: { lo: this.textPa, hi: textEnd },
      fenceI: true,
      ecalls: true,
      log: o.logAt,
      capacity: LOG_CAPACITY,
    });
    if (o.breakpoints && s.has('multi_cpu_stop')) {
      this.multiCpuStop = s.va('multi_cpu_stop');
      for (const h of o.machine.harts) h.setBreakpoint(this.multiCpuStop);
    }
  }

  /** Number of ftrace call sites (mcount_loc entries). */
  get siteCount(): number {
    return this.sites.size;
  }

  /** Events the engine dropped because the log was full between two drains. */
  get lost(): number {
    return this.log.lost;
  }

  /** Drains the log (call between run chunks, or periodically in parallel mode). */
  tick(): void {
    const evs = this.log.drain();
    this.events += evs.length;
    let stores = 0;
    for (const e of evs) {
      if (e.kind === 'store') stores++;
      this.onEvent(e);
    }
    // parallel mode (no breakpoints): an update ends when a drain finds no more stores
    if (!this.o.breakpoints && this.current) {
      this.quietTicks = stores === 0 ? this.quietTicks + 1 : 0;
      if (this.quietTicks >= 40) this.close(); // about 200 ms of host time without a store
    }
  }

  /** A hart stopped at its breakpoint (multi_cpu_stop's entry or its return); returns true to continue. */
  onBreakpoint(hart: number): boolean {
    const m = this.o.machine;
    const h = m.hart(hart);
    if (this.multiCpuStop === undefined) return false;
    const open = this.open.get(hart);
    if (!open && h.pc === this.multiCpuStop) {
      if (this.open.size === 0) {
        this.close(); // stores before this stop_machine belong to an earlier update
        this.episode = [];
      }
      this.open.set(hart, { entryRetired: h.retired, entryMs: performance.now(), ra: h.x('ra') });
      h.setBreakpoint(h.x('ra'));
      return true;
    }
    if (open && h.pc === open.ra) {
      this.open.delete(hart);
      this.episode?.push({
        hart,
        instructions: Number(h.retired - open.entryRetired),
        hostMs: performance.now() - open.entryMs,
        wrote: false,
      });
      h.setBreakpoint(this.multiCpuStop);
      if (this.open.size === 0) this.closeEpisode();
      return true;
    }
    return false;
  }

  /** Ends the run: closes the open update and stops logging. */
  finish(): void {
    this.tick();
    this.close();
    this.log.stop();
    for (const h of this.o.machine.harts) h.clearBreakpoint();
  }

  private update(): PatchUpdate & { before: Map<number, number> } {
    this.current ??= {
      index: this.updates.length,
      via: this.o.breakpoints ? (this.open.size > 0 ? 'stop_machine' : 'direct') : 'unknown',
      writers: [],
      stores: 0,
      sites: [],
      other: [],
      rewrittenSame: 0,
      stopTimes: [],
      fenceI: [],
      remoteFenceI: 0,
      before: new Map(),
    };
    return this.current;
  }

  private onEvent(e: WatchEvent): void {
    if (e.kind === 'store') {
      // parallel mode (no stop_machine boundaries): one update writes a byte once, so a second write starts the next
      if (!this.o.breakpoints && this.current && this.touches(this.current.before, Number(e.addr), e.size)) this.close();
      const u = this.update();
      u.stores++;
      if (!u.writers.includes(e.hart)) u.writers.push(e.hart);
      const pa = Number(e.addr);
      for (let i = 0; i < e.size; i++) {
        const off = pa + i - this.textPa;
        if (off < 0 || off >= this.shadow.length) continue;
        if (!u.before.has(pa + i)) u.before.set(pa + i, this.shadow[off]!);
        this.shadow[off] = Number((e.value >> BigInt(8 * i)) & 0xffn);
      }
      return;
    }
    const u = this.current ?? (this.open.size > 0 ? this.update() : undefined);
    if (!u) return;
    if (e.kind === 'fence.i') {
      let f = u.fenceI.find((x) => x.hart === e.hart);
      if (!f) u.fenceI.push((f = { hart: e.hart, smode: 0, mmode: 0 }));
      if (e.priv === 3) f.mmode++;
      else f.smode++;
    } else if (e.kind === 'ecall' && e.value >> 32n === BigInt(SBI_EXT_RFENCE) && (e.value & 0xffffffffn) === BigInt(SBI_RFENCE_FENCE_I)) {
      u.remoteFenceI++;
    }
  }

  private touches(before: Map<number, number>, pa: number, size: number): boolean {
    for (let i = 0; i < size; i++) if (before.has(pa + i)) return true;
    return false;
  }

  private closeEpisode(): void {
    const times = this.episode ?? [];
    this.episode = undefined;
    if (this.current) {
      for (const t of times) t.wrote = this.current.writers.includes(t.hart);
      this.current.stopTimes = times.sort((a, b) => a.hart - b.hart);
      this.current.via = 'stop_machine';
    }
    this.close();
  }

  /** Turns the bytes an update touched into site/other changes and files it (updates without stores are dropped). */
  private close(): void {
    const u = this.current;
    this.current = undefined;
    this.quietTicks = 0;
    if (!u || u.stores === 0) return;
    const touchedSites = new Set<number>();
    const otherBytes: number[] = [];
    for (const pa of u.before.keys()) {
      let site: number | undefined;
      for (let k = 0; k < 8; k++) if (this.sites.has(pa - k)) site = pa - k;
      if (site !== undefined) touchedSites.add(site);
      else otherBytes.push(pa);
    }
    const bytesAt = (pa: number, len: number, old: boolean): Uint8Array => {
      const out = new Uint8Array(len);
      for (let i = 0; i < len; i++) {
        const b = old ? u.before.get(pa + i) : undefined;
        out[i] = b ?? this.shadow[pa + i - this.textPa]!;
      }
      return out;
    };
    for (const pa of [...touchedSites].sort((a, b) => a - b)) {
      const oldB = bytesAt(pa, 8, true);
      const newB = bytesAt(pa, 8, false);
      if (equal(oldB, newB)) {
        u.rewrittenSame++;
        continue;
      }
      u.sites.push(this.change(pa, oldB, newB, true));
    }
    // other text: coalesce touched bytes into contiguous ranges of whole parcels (2-byte aligned, RVC code)
    otherBytes.sort((a, b) => a - b);
    const parcel = (pa: number) => pa - (pa % 2); // (physical addresses exceed 2^31: no bitwise &)
    let i = 0;
    while (i < otherBytes.length) {
      const start = parcel(otherBytes[i]!);
      let end = start + 2;
      while (i < otherBytes.length && otherBytes[i]! < end + 2) {
        end = Math.max(end, parcel(otherBytes[i]!) + 2);
        i++;
      }
      const oldB = bytesAt(start, end - start, true);
      const newB = bytesAt(start, end - start, false);
      if (!equal(oldB, newB)) u.other.push(this.change(start, oldB, newB, false));
    }
    const { before: _before, ...rest } = u;
    this.updates.push({ ...rest, index: this.updates.length });
  }

  private change(pa: number, oldB: Uint8Array, newB: Uint8Array, site: boolean): TextChange {
    const s = this.o.symbols;
    const va = s.vaOf(pa);
    const c: TextChange = {
      pa,
      va,
      where: site ? s.functionAt(va) : s.describe(va),
      site,
      old: oldB,
      new: newB,
      oldText: disasmBytes(oldB, pa),
      newText: disasmBytes(newB, pa),
    };
    if (site) {
      // the pre-6.16 RISC-V site (arch/riscv/kernel/ftrace.c, v6.12): nop;nop or auipc t0 + jalr t0 to ftrace_caller
      const enabled = !(le32(newB, 0) === NOP4 && le32(newB, 4) === NOP4);
      const model = enabled
        ? words(auipcT0For(pa, this.ftraceCallerPa), jalrT0For(pa, this.ftraceCallerPa))
        : words(NOP4, NOP4);
      c.model = { new: model, text: disasmBytes(model, pa), same: equal(model, newB) };
    }
    return c;
  }
}

function le32(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

function words(...ws: number[]): Uint8Array {
  const out = new Uint8Array(ws.length * 4);
  const dv = new DataView(out.buffer);
  ws.forEach((w, i) => dv.setUint32(i * 4, w >>> 0, true));
  return out;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** `auipc t0,0x...; jalr t0,...` for a few bytes of code at pa (RVC-aware). */
export function disasmBytes(bytes: Uint8Array, pa: number): string {
  const out: string[] = [];
  let at = 0;
  while (at < bytes.length) {
    const lo = bytes[at]! | ((bytes[at + 1] ?? 0) << 8);
    const word = (lo & 3) === 3 && at + 4 <= bytes.length ? le32(bytes, at) : lo;
    const d = disassembleWord(word, pa + at);
    out.push(d.text.replace('\t', ' '));
    at += d.length;
  }
  return out.join('; ');
}

export function hexBytes(b: Uint8Array): string {
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}
