// The checker's online invariants: every decoded instruction at a patched address is a complete version, two-word sites run one version, nothing executes freed memory, and concurrent text changes obey the arch profile.
import { hexAddr } from '../ftrace/errors.js';
import type { GuestHeap } from '../ftrace/guest-alloc.js';
import type { PatchPlan } from '../ftrace/patch-plan.js';
import type { PatchStep } from '../patch/steps.js';
import type { ArchProfile } from './profiles.js';

/** The invariants of issue 10, by number and name. */
export const INVARIANTS = {
  'torn-fetch': 'every instruction executed at a patched address is one complete version the protocol wrote there',
  'mixed-site': 'a multi-instruction site executes as one version',
  'wrong-ops': 'the ops passed to a callback is registered and its filter admits the function',
  'use-after-free': 'no execution of freed memory and no read through a freed ops/hash',
  'lost-or-duplicate-event': 'a call inside a fully enabled window is traced exactly once; nothing is traced outside every window',
  progress: 'every protocol completes (no deadlocked rendezvous) within a bound',
  'guest-trap': 'no hart takes an unexpected trap (an illegal instruction from a torn or stale site, a bad jump)',
  'arch-profile': 'instructions another hart may be executing change only in ways the arch profile allows',
} as const;
export type InvariantName = keyof typeof INVARIANTS;

export interface Violation {
  readonly invariant: InvariantName;
  /** One sentence. */
  readonly message: string;
  /** Scheduling decision at which it was seen. */
  readonly step: number;
  readonly hart: number | null;
  readonly addr: number | null;
}

/** What the monitor keeps of a decode, for replay output. */
export interface DecodeNote {
  readonly step: number;
  readonly hart: number;
  readonly addr: number;
  readonly bytes: Uint8Array;
  /** Which version of the site it is ("old", "new", "c.ebreak", "torn"), or null outside patched text. */
  readonly version: string | null;
}

function hexOf(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

function insnLen(b0: number): 2 | 4 {
  return (b0 & 3) === 3 ? 4 : 2;
}

/** Splits one site write's bytes into instructions: [offset, bytes] pairs (by the OLD bytes' lengths when they agree). */
function instructions(bytes: Uint8Array): [number, Uint8Array][] {
  const out: [number, Uint8Array][] = [];
  for (let at = 0; at < bytes.length; ) {
    const n = Math.min(insnLen(bytes[at]!), bytes.length - at);
    out.push([at, bytes.subarray(at, at + n)]);
    at += n;
  }
  return out;
}

interface PairGroup {
  readonly addrs: readonly number[];
  /** Legal contents of the whole group (hex of the concatenated instructions). */
  readonly legal: Set<string>;
  /** Some plan changed two or more of its words (only then can a hart mix versions). */
  multi: boolean;
}

/** c.ebreak as decoded bytes (hex). */
const C_EBREAK_HEX = '0290';

/**
 * Fed with every patch plan (before its steps are built), every patch step (as it runs), and the engine's decode and
 * fence.i events (drained after each scheduling decision); keeps the first violation.
 */
export class Monitor {
  /** The first failure observed (a torn decode, a mixed site, a freed fetch): it ends the schedule. */
  violation: Violation | null = null;
  /** The first breach of the arch profile's rules: reported only if no failure is observed by the end of the schedule. */
  breach: Violation | null = null;
  /** Decision counter (set by the strategy before events of a decision are fed). */
  step = 0;
  /** Versions (hex -> label) of each patched instruction address. */
  private readonly versions = new Map<number, Map<string, string>>();
  private readonly pairs = new Map<number, PairGroup>();
  /** Per hart: address -> the bytes (hex) it last decoded there and its decode-cache generation then. */
  private readonly decoded: Map<number, { hex: string; gen: number }>[];
  /** Instruction bytes at each watched address as the host's steps left them (for profile checks). */
  private readonly shadow = new Map<number, Uint8Array>();
  private paused = false;
  /** Witness: decisions at which a hart started on a patched address whose text in memory differs from what it runs. */
  staleExecutions = 0;
  private updateNo = 0;
  /** The last decodes, kept when `keepRecent` (replay output). */
  readonly recent: DecodeNote[] = [];
  keepRecent = false;

  constructor(
    readonly harts: number,
    readonly profile: ArchProfile,
    private readonly heap: GuestHeap,
    private readonly read: (addr: number, len: number) => Uint8Array,
    /** A hart's decode-cache generation (bumped by its fence.i and by host flushes). */
    private readonly generation: (hart: number) => number,
  ) {
    this.decoded = Array.from({ length: harts }, () => new Map());
  }

  private fail(v: Omit<Violation, 'step'>): void {
    if (v.invariant === 'arch-profile') this.breach ??= { ...v, step: this.step };
    else this.violation ??= { ...v, step: this.step };
  }

  /** A plan about to be turned into steps: its instruction versions become legal at their addresses. */
  notePlan(plan: PatchPlan): void {
    this.updateNo++;
    const label = `v${this.updateNo}`;
    for (const s of plan.sites) {
      if (s.kind !== 'insn') continue;
      const olds = instructions(s.old);
      const news = instructions(s.new);
      for (const [off, b] of olds) this.addVersion(s.addr + off, b, this.versions.get(s.addr + off)?.size ? null : 'v0');
      for (const [off, b] of news) this.addVersion(s.addr + off, b, label);
      for (const [off, b] of olds) if (!this.shadow.has(s.addr + off)) this.shadow.set(s.addr + off, b.slice());
      if (olds.length < 2) continue;
      // a multi-instruction site: every whole state a plan leaves or reaches is legal, with c.ebreak standing for a
      // word's new instruction (the breakpoint handler emulates it); it is checked once some plan changes 2+ words
      const addrs = olds.map(([off]) => s.addr + off);
      const prev = this.pairs.get(addrs[0]!);
      const g: PairGroup = prev ?? { addrs, legal: new Set<string>(), multi: false };
      g.legal.add(hexOf(s.old));
      const newWords = news.map(([, b]) => hexOf(b));
      const changed = newWords.map((h, i) => h !== hexOf(olds[i]?.[1] ?? new Uint8Array()));
      for (let mask = 0; mask < 1 << newWords.length; mask++) {
        if (newWords.some((_, i) => mask & (1 << i) && !changed[i])) continue;
        g.legal.add(newWords.map((h, i) => (mask & (1 << i) ? C_EBREAK_HEX : h)).join(''));
      }
      if (changed.filter(Boolean).length > 1) g.multi = true;
      for (const a of addrs) this.pairs.set(a, g);
    }
  }

  private addVersion(addr: number, b: Uint8Array, label: string | null): void {
    let m = this.versions.get(addr);
    if (!m) this.versions.set(addr, (m = new Map()));
    const h = hexOf(b);
    if (!m.has(h)) m.set(h, label ?? `v${m.size}`);
  }

  /** Is `addr` a patched instruction address? */
  watched(addr: number): boolean {
    return this.versions.has(addr);
  }

  /** The version label of `bytes` at `addr` (null: not patched text; 'torn': no complete version). */
  versionOf(addr: number, bytes: Uint8Array): string | null {
    const m = this.versions.get(addr);
    if (!m) return null;
    return m.get(hexOf(bytes)) ?? 'torn';
  }

  /** A hart is about to run from `pc`: counts it when it runs a site version memory no longer holds (stale icache). */
  noteExecution(hart: number, pc: number): void {
    const mine = this.decoded[hart]!.get(pc);
    if (!mine) return;
    const len = mine.hex.length / 2;
    if (hexOf(this.read(pc, len)) !== mine.hex) this.staleExecutions++;
  }

  /** A patch step that just ran (`live`: harts were running). */
  onStep(step: PatchStep, live: boolean): void {
    if (step.op === 'pause-all') this.paused = true;
    else if (step.op === 'resume-all') this.paused = false;
    if (step.op !== 'write') return;
    if (step.role === 'site-parcel0' && step.bytes.length === 2) this.addVersion(step.addr, step.bytes, step.bytes[0] === 0x02 && step.bytes[1] === 0x90 ? 'c.ebreak' : null);
    if (step.role !== 'site' && step.role !== 'site-parcel0' && step.role !== 'site-rest') return;
    // the instruction(s) this write touches (they start at most 2 bytes before it), as another hart could fetch them
    for (let addr = step.addr - 2; addr < step.addr + step.bytes.length; addr += 2) {
      const before = this.shadow.get(addr);
      if (!before) continue;
      const len = before.length;
      if (step.addr >= addr + len || step.addr + step.bytes.length <= addr) continue;
      const now = this.read(addr, 4).subarray(0, insnLen(this.read(addr, 1)[0]!));
      this.shadow.set(addr, now.slice());
      if (!live || this.paused) continue;
      const oldInsn = before.subarray(0, insnLen(before[0]!));
      if (hexOf(oldInsn) === hexOf(now)) continue;
      const verdict = this.profile.concurrent(addr, oldInsn, now);
      if (verdict) {
        this.fail({ invariant: 'arch-profile', message: `${step.what} at ${hexAddr(addr)} changed ${hexOf(oldInsn)} -> ${hexOf(now)} while harts run: ${verdict}`, hart: null, addr });
      }
    }
  }

  /** Hart `hart` decoded `size` bytes `bits` at physical `pa`. */
  onDecode(hart: number, pa: number, size: number, bits: number): void {
    if (!this.keepRecent && !this.versions.has(pa)) {
      // fast path for text nobody patches: only a fetch of freed memory matters there
      const freed = this.heap.freedAt(pa);
      if (freed) this.fail({ invariant: 'use-after-free', message: `hart ${hart} fetched ${hexAddr(pa)} in ${freed.what}, which the protocol had freed (poisoned)`, hart, addr: pa });
      return;
    }
    const bytes = new Uint8Array(size);
    for (let i = 0; i < size; i++) bytes[i] = (bits >>> (8 * i)) & 0xff;
    const version = this.versionOf(pa, bytes);
    if (this.keepRecent) {
      if (this.recent.length >= 256) this.recent.splice(0, 128);
      this.recent.push({ step: this.step, hart, addr: pa, bytes, version });
    }
    const freed = this.heap.freedAt(pa);
    if (freed) {
      this.fail({ invariant: 'use-after-free', message: `hart ${hart} fetched ${hexAddr(pa)} in ${freed.what}, which the protocol had freed (poisoned)`, hart, addr: pa });
      return;
    }
    if (version === null) return;
    const h = hexOf(bytes);
    const gen = this.generation(hart);
    const mine = this.decoded[hart]!;
    mine.set(pa, { hex: h, gen });
    if (version === 'torn') {
      this.fail({ invariant: 'torn-fetch', message: `hart ${hart} decoded ${h} at ${hexAddr(pa)}, which is no complete version written there (versions: ${[...this.versions.get(pa)!.keys()].join(', ')})`, hart, addr: pa });
      return;
    }
    const g = this.pairs.get(pa);
    if (!g || !g.multi) return;
    // What the hart runs as the whole site: the words before this one as it last ran them (it flowed from them, or
    // resumes here after an interrupt), the words after it only while they are still in its decode cache.
    const i = g.addrs.indexOf(pa);
    const view: string[] = [];
    for (let j = 0; j < g.addrs.length; j++) {
      if (j === i) {
        view.push(h);
        continue;
      }
      const e = mine.get(g.addrs[j]!);
      if (!e || (j > i && e.gen !== gen)) return;
      view.push(e.hex);
    }
    if (!g.legal.has(view.join(''))) {
      this.fail({ invariant: 'mixed-site', message: `hart ${hart} runs the site at ${hexAddr(g.addrs[0]!)} as ${view.join(' + ')}, words of different versions`, hart, addr: pa });
    }
  }

}
