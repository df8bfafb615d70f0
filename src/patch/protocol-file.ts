// Patch protocols written as data (JSON): phases naming which writes of a plan they perform and what follows them; validated with JSON paths, run as a PatchProtocol.
import type { PatchPlan } from '../ftrace/patch-plan.js';
import { PatchError } from './errors.js';
import { atomicPieces, insnWords, ipiRoundTrip, literalSteps, publishSteps, teardownSteps, write, type InsnWord, type PatchContext } from './plan-steps.js';
import { breakpointTable, plantBreakpoints, writeFirstParcels, writeRest } from './protocols/breakpoint.js';
import type { PatchProtocol } from './protocols/protocol.js';
import { stopMachineSteps } from './protocols/stop-machine.js';
import type { PatchStep } from './steps.js';

/** The `format` every protocol file carries. */
export const PROTOCOL_FILE_FORMAT = 'ftrace-lab-protocol/1';

/** Which writes of the plan a phase performs. */
export const WRITE_KINDS = {
  data: 'fresh memory nobody reaches yet (ops copies, hashes)',
  links: 'pointer stores that publish or retract a structure (rcu_assign_pointer)',
  publish: 'data, a write fence, then links (what register/unregister publish outside any stop)',
  'globals-before': 'ftrace_call_dest switched to the list func before the sites change',
  'trace-op-after': 'function_trace_op after the sites',
  'call-dest-after': 'the final ftrace_call_dest after the sites',
  literals: 'the CALL_OPS literal before each function',
  sites: 'every changed site instruction word, one naturally aligned store each',
  'site-first-insn': 'the first changed instruction word of each site',
  'site-later-insns': 'the changed instruction words after the first of each site (the jalr of an auipc+jalr pair)',
  'breakpoint-table': 'publish text_poke_array (the sorted descriptor vector the c.ebreak handler emulates from)',
  'site-parcel0-breakpoint': 'c.ebreak into the first parcel of every changed word',
  'site-rest': 'each new word after its first parcel',
  'site-parcel0': 'the new first parcel over each c.ebreak',
  'breakpoint-table-retract': 'retract and free text_poke_array',
} as const;
export type WriteKind = keyof typeof WRITE_KINDS;

/** What follows a phase. */
export const THEN_KINDS = {
  'fence w,w': 'a write fence (smp_wmb)',
  'fence rw,rw': 'a full fence (smp_mb)',
  'fence w,o': 'order stores before the IPI',
  'ipi fence.i': 'fence w,o, an IPI that runs fence.i on every hart, wait for all (flush_icache_all)',
  'ipi sync': 'fence w,o, an IPI every hart acknowledges, wait for all (smp_call_function(ftrace_sync_ipi))',
  'host flush': 'the host drops every hart\'s decoded text (no IPI)',
  'grace-period': 'wait for an RCU-tasks grace period',
} as const;
export type ThenKind = keyof typeof THEN_KINDS;

export interface ProtocolPhase {
  readonly writes?: readonly WriteKind[];
  /** stop-machine: the phase's stores go into the patch vector the guest's last hart into multi_cpu_stop applies; stop-all: the host parks every hart around them. */
  readonly around?: 'stop-machine' | 'stop-all';
  /** Steps after the phase: emitted when the phase wrote something, or always when it names no writes. */
  readonly then?: readonly ThenKind[];
  /** Free what the plan made unreachable: after a grace period (honours the lab's teardown option) or at once. */
  readonly free?: 'after-grace-period' | 'immediately';
}

export interface ProtocolFile {
  readonly format: typeof PROTOCOL_FILE_FORMAT;
  readonly name: string;
  readonly summary: string;
  readonly phases: readonly ProtocolPhase[];
}

function bad(path: string, message: string): never {
  throw new PatchError('PATCH_BAD_PROTOCOL_FILE', `${path}: ${message}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function oneOf<T extends string>(v: unknown, keys: readonly T[], path: string): T {
  if (typeof v !== 'string' || !keys.includes(v as T)) bad(path, `expected one of ${keys.map((k) => `"${k}"`).join(', ')}, got ${JSON.stringify(v)}`);
  return v as T;
}

/** Validates a parsed protocol file; PATCH_BAD_PROTOCOL_FILE names the JSON path of the first problem. */
export function parseProtocolFile(json: unknown): ProtocolFile {
  if (!isObject(json)) bad('$', 'a protocol file is a JSON object');
  for (const k of Object.keys(json)) if (!['format', 'name', 'summary', 'phases'].includes(k)) bad(`$.${k}`, 'unknown field');
  if (json.format !== PROTOCOL_FILE_FORMAT) bad('$.format', `expected "${PROTOCOL_FILE_FORMAT}", got ${JSON.stringify(json.format)}`);
  if (typeof json.name !== 'string' || !/^[a-z0-9][a-z0-9._-]*$/.test(json.name)) bad('$.name', 'expected a name of lower-case letters, digits, ".", "_" and "-"');
  if (typeof json.summary !== 'string') bad('$.summary', 'expected a one-line string');
  if (!Array.isArray(json.phases) || json.phases.length === 0) bad('$.phases', 'expected a non-empty array of phases');
  const phases = json.phases.map((p: unknown, i: number): ProtocolPhase => {
    const at = `$.phases[${i}]`;
    if (!isObject(p)) bad(at, 'a phase is an object');
    for (const k of Object.keys(p)) if (!['writes', 'around', 'then', 'free'].includes(k)) bad(`${at}.${k}`, 'unknown field');
    const out: { writes?: WriteKind[]; around?: 'stop-machine' | 'stop-all'; then?: ThenKind[]; free?: 'after-grace-period' | 'immediately' } = {};
    if (p.writes !== undefined) {
      if (!Array.isArray(p.writes)) bad(`${at}.writes`, 'expected an array of write kinds');
      out.writes = p.writes.map((w: unknown, j: number) => oneOf(w, Object.keys(WRITE_KINDS) as WriteKind[], `${at}.writes[${j}]`));
    }
    if (p.around !== undefined) {
      out.around = oneOf(p.around, ['stop-machine', 'stop-all'] as const, `${at}.around`);
      if (!out.writes) bad(`${at}.around`, 'a stop around a phase needs the phase to name its writes');
    }
    if (p.then !== undefined) {
      if (!Array.isArray(p.then)) bad(`${at}.then`, 'expected an array');
      out.then = p.then.map((t: unknown, j: number) => oneOf(t, Object.keys(THEN_KINDS) as ThenKind[], `${at}.then[${j}]`));
    }
    if (p.free !== undefined) {
      out.free = oneOf(p.free, ['after-grace-period', 'immediately'] as const, `${at}.free`);
      if (out.writes || out.around) bad(`${at}.free`, 'a free phase frees only (no writes, no stop)');
    }
    if (!out.writes && !out.then && !out.free) bad(at, 'a phase needs "writes", "then" or "free"');
    return out;
  });
  const kinds = phases.flatMap((p) => p.writes ?? []);
  const bp = kinds.filter((k) => k.startsWith('site-parcel0') || k === 'site-rest');
  if (bp.length > 0 && !kinds.includes('breakpoint-table')) bad('$.phases', 'breakpoint writes (site-parcel0*, site-rest) need a "breakpoint-table" phase before them');
  return { format: PROTOCOL_FILE_FORMAT, name: json.name, summary: json.summary, phases };
}

type WriteStep = Extract<PatchStep, { op: 'write' }>;

/** The instruction words of each site, grouped by site (plan order), for first/later splits. */
function wordsBySite(plan: PatchPlan): InsnWord[][] {
  const groups = new Map<string, InsnWord[]>();
  for (const w of insnWords(plan)) {
    const g = groups.get(w.what);
    if (g) g.push(w);
    else groups.set(w.what, [w]);
  }
  return [...groups.values()];
}

const siteStep = (w: InsnWord): WriteStep => write('site', w.what, w.addr, w.new, w.old);

/** A protocol file as a PatchProtocol. */
export class FileProtocol implements PatchProtocol {
  readonly name: string;
  readonly summary: string;
  readonly needsGuestHandlers: boolean;

  constructor(readonly file: ProtocolFile) {
    this.name = file.name;
    this.summary = file.summary;
    this.needsGuestHandlers = file.phases.some(
      (p) => p.around === 'stop-machine' || (p.then ?? []).some((t) => t.startsWith('ipi')) || (p.writes ?? []).includes('breakpoint-table'),
    );
  }

  steps(plan: PatchPlan, ctx: PatchContext): PatchStep[] {
    const words = insnWords(plan);
    let table: { publish: PatchStep[]; retract: PatchStep[] } | null = null;
    const writesOf = (kind: WriteKind): PatchStep[] => {
      switch (kind) {
        case 'data':
          return plan.data.map((d) => write('data', d.what, d.addr, d.bytes));
        case 'links':
          return plan.links.flatMap((l) => atomicPieces('link', l.what, l.addr, l.new, l.old));
        case 'publish':
          return publishSteps(plan);
        case 'globals-before':
          return plan.globals.filter((g) => g.phase === 'before-sites').flatMap((g) => atomicPieces('global', g.name, g.addr, g.new, g.old));
        case 'trace-op-after':
        case 'call-dest-after': {
          const name = kind === 'trace-op-after' ? 'function_trace_op' : 'ftrace_call_dest';
          return plan.globals.filter((g) => g.phase === 'after-sites' && g.name === name).flatMap((g) => atomicPieces('global', g.name, g.addr, g.new, g.old));
        }
        case 'literals':
          return literalSteps(plan);
        case 'sites':
          return words.map(siteStep);
        case 'site-first-insn':
          return wordsBySite(plan).map((g) => siteStep(g[0]!));
        case 'site-later-insns':
          return wordsBySite(plan).flatMap((g) => g.slice(1).map(siteStep));
        case 'breakpoint-table':
          table = breakpointTable(words, ctx);
          return table.publish;
        case 'site-parcel0-breakpoint':
          return plantBreakpoints(words);
        case 'site-rest':
          return writeRest(words);
        case 'site-parcel0':
          return writeFirstParcels(words);
        case 'breakpoint-table-retract':
          return table ? table.retract : [];
      }
    };
    const out: PatchStep[] = [];
    for (const phase of this.file.phases) {
      if (phase.free) {
        out.push(...(phase.free === 'immediately' ? plan.frees.map((f): PatchStep => ({ op: 'free', what: f.what, addr: f.addr })) : teardownSteps(plan, ctx)));
        continue;
      }
      const body = (phase.writes ?? []).flatMap(writesOf);
      if (phase.around === 'stop-machine') {
        const stores = body.filter((s): s is WriteStep => s.op === 'write');
        if (stores.length !== body.length) throw new PatchError('PATCH_BAD_STEP', `${this.name}: only writes can go into a stop_machine patch vector`);
        out.push(...stopMachineSteps(stores, ctx));
      } else if (phase.around === 'stop-all') {
        out.push({ op: 'pause-all' }, ...body, { op: 'flush-icache', harts: 'all' }, { op: 'resume-all' });
      } else {
        out.push(...body);
      }
      if (phase.writes && body.length === 0) continue;
      for (const t of phase.then ?? []) out.push(...thenSteps(t));
    }
    return out;
  }
}

function thenSteps(t: ThenKind): PatchStep[] {
  switch (t) {
    case 'fence w,w':
      return [{ op: 'fence', kind: 'w,w' }];
    case 'fence rw,rw':
      return [{ op: 'fence', kind: 'rw,rw' }];
    case 'fence w,o':
      return [{ op: 'fence', kind: 'w,o' }];
    case 'ipi fence.i':
      return ipiRoundTrip('fence.i');
    case 'ipi sync':
      return ipiRoundTrip('sync');
    case 'host flush':
      return [{ op: 'flush-icache', harts: 'all' }];
    case 'grace-period':
      return [{ op: 'grace-period' }];
  }
}

/** Parse JSON text as a protocol file (PATCH_BAD_PROTOCOL_FILE on a syntax error too). */
export function protocolFromText(text: string, origin = 'protocol file'): FileProtocol {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new PatchError('PATCH_BAD_PROTOCOL_FILE', `${origin}: not JSON (${(e as Error).message})`);
  }
  return new FileProtocol(parseProtocolFile(json));
}
