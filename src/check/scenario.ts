// Checker scenarios: the harts' traced workload and the script of updates a protocol lands while they run (ftrace register / filter change / unregister, or raw text pokes).
import { decode } from '../isa/index.js';
import type { Lab, OpsHandle } from '../lab/index.js';
import { CheckError } from './errors.js';
import { isSchemeName, schemeDescriptor } from '../ftrace/schemes/registry.js';

export const SCENARIO_NAMES = ['ftrace', 'poke-hint', 'poke-rvc', 'poke-pair', 'static-key', 'static-key-cnop2', 'static-key-misaligned4'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/** One line per scenario (for --help and README). */
export const SCENARIO_SUMMARIES: Readonly<Record<ScenarioName, string>> = {
  ftrace: 'register a module ops tracing kfunc_*, narrow its filter to kfunc_1*, unregister it (its callback is freed)',
  'poke-hint': 'text_poke the disabled site word of kfunc_0 from nop to the hint addi x0,x0,1 and back (an addi immediate change)',
  'poke-rvc': 'text_poke a 32-bit ALU-immediate instruction at an address = 2 mod 4 inside a traced function (both parcels change) and back',
  'static-key': 'static_branch_unlikely sites (4-byte nop <-> j, the kernel\'s form) in every function: static_key_enable, disable, enable',
  'static-key-cnop2': 'the same with 2-byte c.nop <-> c.j sites',
  'static-key-misaligned4': 'the same with 4-byte nop <-> j sites at addresses = 2 mod 4 (written as two half-word stores)',
  'poke-pair': 'the pre-6.16 RISC-V site: rewrite both words at kfunc_0\'s entry between nop; nop and auipc t0; jalr t0 (a call to ftrace_caller), twice',
};

export interface ScenarioSpec {
  readonly name: ScenarioName;
  /** Call-site scheme of the lab. */
  readonly scheme: string;
  readonly harts: number;
  /** Functions of the synthetic kernel (small: every pass calls them all). */
  readonly functions: number;
  readonly kernelSeed: number;
  /** Instructions (all harts) before the first update starts. */
  readonly startAt: number;
  /** Instructions (all harts) the harts run between one update's end and the next one's start, and before the stop. */
  readonly gap: number;
}

export const DEFAULT_SCENARIO: Omit<ScenarioSpec, 'scheme' | 'harts'> = { name: 'ftrace', functions: 3, kernelSeed: 2, startAt: 400, gap: 1500 };

export function isScenarioName(v: unknown): v is ScenarioName {
  return typeof v === 'string' && (SCENARIO_NAMES as readonly string[]).includes(v);
}

export function checkScenario(s: ScenarioSpec): ScenarioSpec {
  if (!isScenarioName(s.name)) throw new CheckError('CHECK_BAD_OPTION', `unknown scenario '${String(s.name)}' (valid: ${SCENARIO_NAMES.join(', ')})`);
  if (!Number.isInteger(s.harts) || s.harts < 2 || s.harts > 4) throw new CheckError('CHECK_BAD_OPTION', `a scenario has 2 to 4 harts, got ${String(s.harts)}`);
  if (!Number.isInteger(s.functions) || s.functions < 1 || s.functions > 64) throw new CheckError('CHECK_BAD_OPTION', `scenario functions must be 1..64, got ${String(s.functions)}`);
  if (!Number.isSafeInteger(s.startAt) || s.startAt < 0) throw new CheckError('CHECK_BAD_OPTION', `startAt must be an integer >= 0, got ${String(s.startAt)}`);
  if (!Number.isSafeInteger(s.gap) || s.gap < 0) throw new CheckError('CHECK_BAD_OPTION', `gap must be an integer >= 0, got ${String(s.gap)}`);
  if ((s.name === 'poke-hint' || s.name === 'poke-pair') && isSchemeName(s.scheme) && schemeDescriptor(s.scheme).siteLayout) {
    throw new CheckError('CHECK_BAD_OPTION', `${s.name} pokes the words of a 6.16 site at kfunc_0's entry, but the ${s.scheme} layout has one branch there (use --scenario ftrace)`);
  }
  return s;
}

function u32(b: Uint8Array): number {
  return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
}

function le(w: number): Uint8Array {
  return new Uint8Array([w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, (w >>> 24) & 0xff]);
}

/**
 * A 32-bit ALU-immediate instruction (addi/xori, or a logical shift) at an address = 2 mod 4 in one of the traced
 * functions, whose destination is an ordinary register (not ra, sp, gp, tp, s0): flipping funct3 bit 2 (bit 14, first
 * parcel: addi <-> xori, srli <-> slli) and immediate bit 0 (bit 20, second parcel) changes both parcels and only
 * the value it computes.
 */
export function findRvcPokeTarget(lab: Lab): { addr: number; old: Uint8Array; new: Uint8Array; symbol: string } {
  for (const rec of lab.ftrace.records()) {
    const { addr: start, size } = lab.code(rec.symbol);
    for (let pc = start; pc < start + size; ) {
      const head = lab.machine.memory.read(pc, 2);
      const len = (head[0]! & 3) === 3 ? 4 : 2;
      if (len === 4 && pc % 4 === 2) {
        const b = lab.machine.memory.read(pc, 4);
        const w = u32(b);
        const rd = (w >>> 7) & 0x1f;
        const f3 = (w >>> 12) & 7;
        const nu = (w ^ (1 << 14) ^ (1 << 20)) >>> 0;
        const shift = f3 === 1 || f3 === 5;
        if ((w & 0x7f) === 0x13 && (f3 === 0 || f3 === 4 || (shift && w >>> 26 === 0)) && rd > 4 && rd !== 8 && decode(w) && decode(nu)) {
          return { addr: pc, old: b, new: le(nu), symbol: rec.symbol };
        }
      }
      pc += len;
    }
  }
  throw new CheckError('CHECK_BAD_OPTION', 'poke-rvc: no 32-bit ALU-immediate instruction at an address = 2 mod 4 in the traced functions (try another kernel seed)');
}

/** Extra synthetic-kernel options a scenario needs (static-key sites). */
export function scenarioKernel(s: ScenarioSpec): { staticKeys?: { keys: number; variant: 'nop4' | 'cnop2' | 'misaligned4' } } {
  switch (s.name) {
    case 'static-key':
      return { staticKeys: { keys: 1, variant: 'nop4' } };
    case 'static-key-cnop2':
      return { staticKeys: { keys: 1, variant: 'cnop2' } };
    case 'static-key-misaligned4':
      return { staticKeys: { keys: 1, variant: 'misaligned4' } };
    default:
      return {};
  }
}

/** The two states of a pre-6.16 site at kfunc_0's entry: `nop; nop` and `auipc t0, hi; jalr t0, lo(t0)` to ftrace_caller. */
export function pairSite(lab: Lab): { nops: Uint8Array; call: Uint8Array } {
  const entry = lab.ftrace.records()[0]!.ip - 4;
  const off = lab.symbol('ftrace_caller') - entry;
  const hi = ((off + 0x800) >>> 12) & 0xfffff;
  const lo = off - (hi << 12);
  const call = new Uint8Array(8);
  call.set(le(((hi << 12) | 0x297) >>> 0), 0); // auipc t0, hi
  call.set(le((((lo & 0xfff) << 20) | 0x000282e7) >>> 0), 4); // jalr t0, lo(t0)
  const nops = new Uint8Array(8);
  nops.set(le(0x13), 0);
  nops.set(le(0x13), 4);
  return { nops, call };
}

/** The scenario's updates, in order (each starts `gap` instructions after the previous one completed). */
function updates(lab: Lab, s: ScenarioSpec): (() => Promise<unknown>)[] {
  switch (s.name) {
    case 'ftrace': {
      let h: OpsHandle | null = null;
      return [
        async () => (h = await lab.ftrace.register({ filter: 'kfunc_*', module: true })),
        () => lab.ftrace.setFilter(h!, 'kfunc_1*'),
        () => lab.ftrace.unregister(h!),
      ];
    }
    case 'poke-hint': {
      const ip = lab.ftrace.records()[0]!.ip;
      const nop = lab.machine.memory.read(ip, 4);
      return [() => lab.textPoke(ip, le(0x00100013), 'site hint'), () => lab.textPoke(ip, nop, 'site nop')];
    }
    case 'static-key':
    case 'static-key-cnop2':
    case 'static-key-misaligned4': {
      const keys = lab.staticKeys;
      if (!keys) throw new CheckError('CHECK_BAD_OPTION', `${s.name}: the guest has no __jump_table`);
      return [() => keys.enable('static_key_0'), () => keys.disable('static_key_0'), () => keys.enable('static_key_0')];
    }
    case 'poke-pair': {
      const { nops, call } = pairSite(lab);
      const entry = lab.ftrace.records()[0]!.ip - 4;
      return [
        () => lab.textPoke(entry, nops, 'site nop; nop'),
        () => lab.textPoke(entry, call, 'site auipc; jalr'),
        () => lab.textPoke(entry, nops, 'site nop; nop'),
      ];
    }
    case 'poke-rvc': {
      const t = findRvcPokeTarget(lab);
      return [() => lab.textPoke(t.addr, t.new, `${t.symbol} alu-imm`), () => lab.textPoke(t.addr, t.old, `${t.symbol} alu-imm back`)];
    }
  }
}

/** Installs the scenario's script on a lab that has not run yet; the workload stops `gap` instructions after the last update. */
export function installScript(lab: Lab, s: ScenarioSpec): void {
  const steps = updates(lab, s);
  const next = (i: number, at: number): void =>
    lab.at(at, async () => {
      if (i === steps.length) return lab.stopWorkload();
      await steps[i]!();
      next(i + 1, lab.retired + s.gap);
    });
  next(0, s.startAt);
}
