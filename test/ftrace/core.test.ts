import { describe, expect, it } from 'vitest';
import {
  applyPlanStopped,
  FtraceOps,
  FTRACE_FL_CALL_OPS,
  FTRACE_FL_CALL_OPS_EN,
  FTRACE_FL_ENABLED,
  FTRACE_OPS_FL_RECURSION,
  FTRACE_OPS_FL_SAVE_REGS,
  FTRACE_OPS_FL_IPMODIFY,
  FTRACE_OPS_FUNC,
  FTRACE_OPS_NEXT,
  literalAddr,
  jalrT0For,
  type PatchPlan,
} from '../../src/ftrace/index.js';
import { boot, guestCall, rd32, rd64, SYMS } from './fixture.js';

const CB = SYMS.function_tracer;
let nth = 0;
const opsOn = (name: string, extra: Partial<ConstructorParameters<typeof FtraceOps>[0]> = {}) =>
  new FtraceOps({ name, func: CB + 0x10 * (nth++ % 8), ...extra });

describe('callops scheme: target selection', () => {
  it('one ops on f: f literal = &ops, jalr to ftrace_caller; others untouched', () => {
    const b = boot('rvc-8,4', 'callops');
    const ops = opsOn('probe1');
    b.apply(b.core.setFilter(ops, 'func1'));
    const plan = b.core.register(ops);
    b.apply(plan);
    const f = b.rec('func1');
    const addr = b.core.opsAddr(ops)!;
    expect(rd64(b.mem, literalAddr(f.ip))).toBe(addr);
    expect(rd32(b.mem, f.ip)).toBe(jalrT0For(f.funcAddr, SYMS.ftrace_caller));
    expect(plan.sites.map((s) => [s.symbol, s.kind])).toEqual([
      ['func1', 'literal'],
      ['func1', 'insn'],
    ]);
    expect(f.flags & FTRACE_FL_CALL_OPS_EN).toBeTruthy();
    expect(f.count).toBe(1);
    expect(guestCall(b.mem, 'callops', f.ip)).toEqual({ target: SYMS.ftrace_caller, ops: [addr] });
    expect(guestCall(b.mem, 'callops', b.rec('func2').ip).ops).toEqual([]);
    expect(plan.globals).toEqual([]);
    // the ops struct in guest memory carries func
    expect(rd64(b.mem, addr + FTRACE_OPS_FUNC)).toBe(ops.func);
  });

  it('two ops on f: literal = &ftrace_list_ops; an irrelevant ops does not change f', () => {
    const b = boot('norvc-4,2', 'callops');
    const a = opsOn('a');
    const irr = opsOn('irrelevant');
    const c = opsOn('c');
    b.apply(b.core.setFilter(a, 'func1'));
    b.apply(b.core.setFilter(irr, 'func2'));
    b.apply(b.core.setFilter(c, 'func1'));
    b.apply(b.core.register(a));
    const irrPlan = b.core.register(irr);
    expect(irrPlan.sites.every((s) => s.symbol === 'func2')).toBe(true);
    b.apply(irrPlan);
    const f = b.rec('func1');
    expect(rd64(b.mem, literalAddr(f.ip))).toBe(b.core.opsAddr(a));
    const plan = b.core.register(c);
    expect(plan.sites.map((s) => s.kind)).toEqual(['literal']); // modify_call: only the ops changed
    b.apply(plan);
    expect(rd64(b.mem, literalAddr(f.ip))).toBe(SYMS.ftrace_list_ops);
    expect(f.flags & FTRACE_FL_CALL_OPS).toBe(0);
    expect(guestCall(b.mem, 'callops', f.ip).ops.sort()).toEqual([b.core.opsAddr(a)!, b.core.opsAddr(c)!].sort());
    b.apply(b.core.unregister(a));
    expect(rd64(b.mem, literalAddr(f.ip))).toBe(b.core.opsAddr(c));
  });

  it('an ops that needs the assist func (RECURSION) gets &ftrace_list_ops even alone', () => {
    const b = boot('rvc-8,4', 'callops');
    const r = opsOn('rec', { flags: FTRACE_OPS_FL_RECURSION });
    b.apply(b.core.setFilter(r, 'func1'));
    b.apply(b.core.register(r));
    expect(rd64(b.mem, literalAddr(b.rec('func1').ip))).toBe(SYMS.ftrace_list_ops);
  });

  it('notrace wins: a notraced function stays nop; SAVE_REGS picks ftrace_regs_caller', () => {
    const b = boot('rvc-8,4', 'callops');
    const all = opsOn('all', { flags: FTRACE_OPS_FL_SAVE_REGS });
    b.apply(b.core.setNotrace(all, 'sched*'));
    b.apply(b.core.register(all));
    expect(guestCall(b.mem, 'callops', b.rec('schedule').ip)).toEqual({ target: null, ops: [] });
    expect(rd32(b.mem, b.rec('schedule').ip)).toBe(0x13);
    const v = guestCall(b.mem, 'callops', b.rec('vfs_read').ip);
    expect(v.target).toBe(SYMS.ftrace_regs_caller);
    expect(v.ops).toEqual([b.core.opsAddr(all)]);
  });

  it('filter changes on a registered ops move the calls and swap the guest hash pointer', () => {
    const b = boot('rvc-8,4', 'callops');
    const o = opsOn('o');
    b.apply(b.core.setFilter(o, 'func1'));
    b.apply(b.core.register(o));
    const plan = b.core.setFilter(o, 'func2');
    expect(plan.links.map((l) => l.what)).toEqual(['o->filter_hash']);
    expect(plan.frees).toHaveLength(1);
    b.apply(plan);
    expect(guestCall(b.mem, 'callops', b.rec('func1').ip).ops).toEqual([]);
    expect(guestCall(b.mem, 'callops', b.rec('func2').ip).ops).toEqual([b.core.opsAddr(o)]);
  });
});

describe('list scheme: update_ftrace_function', () => {
  it('a single static ops is called directly; a dynamic one through the list func', () => {
    for (const dynamic of [false, true]) {
      const b = boot('rvc-4', 'list');
      const o = new FtraceOps({ name: 'o', func: 'function_tracer', dynamic });
      b.apply(b.core.setFilter(o, 'func1'));
      const plan = b.core.register(o);
      b.apply(plan);
      const dest = rd64(b.mem, SYMS.ftrace_call_dest);
      expect(dest).toBe(dynamic ? SYMS.ftrace_ops_list_func : SYMS.function_tracer);
      expect(rd64(b.mem, SYMS.function_trace_op)).toBe(b.core.opsAddr(o));
      // ordering: list func first (before sites), then op, then the final function
      expect(plan.globals.map((g) => [g.name, g.phase])).toEqual(
        dynamic
          ? [['ftrace_call_dest', 'before-sites'], ['function_trace_op', 'after-sites']]
          : [['ftrace_call_dest', 'before-sites'], ['function_trace_op', 'after-sites'], ['ftrace_call_dest', 'after-sites']],
      );
      const f = b.rec('func1');
      expect(guestCall(b.mem, 'list', f.ip)).toEqual({ target: SYMS.ftrace_caller, ops: [b.core.opsAddr(o)] });
      expect(guestCall(b.mem, 'list', b.rec('func2').ip).ops).toEqual([]);
      expect(f.flags & FTRACE_FL_ENABLED).toBeTruthy();
      expect(f.flags & FTRACE_FL_CALL_OPS).toBe(0);
      b.apply(b.core.unregister(o));
      expect(rd64(b.mem, SYMS.ftrace_call_dest)).toBe(SYMS.ftrace_stub);
      expect(rd64(b.mem, SYMS.function_trace_op)).toBe(SYMS.ftrace_list_end);
    }
  });

  it('two static ops: list func with op = ftrace_list_end', () => {
    const b = boot('norvc-2', 'list');
    const x = new FtraceOps({ name: 'x', func: CB, dynamic: false });
    const y = new FtraceOps({ name: 'y', func: CB + 0x20, dynamic: false });
    b.apply(b.core.setFilter(x, 'func1'));
    b.apply(b.core.setFilter(y, 'func*'));
    b.apply(b.core.register(x));
    b.apply(b.core.register(y));
    expect(rd64(b.mem, SYMS.ftrace_call_dest)).toBe(SYMS.ftrace_ops_list_func);
    expect(rd64(b.mem, SYMS.function_trace_op)).toBe(SYMS.ftrace_list_end);
    expect(guestCall(b.mem, 'list', b.rec('func1').ip).ops.sort()).toEqual([b.core.opsAddr(x)!, b.core.opsAddr(y)!].sort());
    expect(guestCall(b.mem, 'list', b.rec('func2').ip).ops).toEqual([b.core.opsAddr(y)]);
    // the guest list is newest first: y -> x -> ftrace_list_end
    expect(rd64(b.mem, SYMS.ftrace_ops_list)).toBe(b.core.opsAddr(y));
    expect(rd64(b.mem, b.core.opsAddr(y)! + FTRACE_OPS_NEXT)).toBe(b.core.opsAddr(x));
    expect(rd64(b.mem, b.core.opsAddr(x)! + FTRACE_OPS_NEXT)).toBe(SYMS.ftrace_list_end);
  });
});

describe.each([
  ['rvc-8,4', 'callops'],
  ['norvc-4,2', 'callops'],
  ['rvc-4', 'list'],
  ['norvc-2', 'list'],
  ['rvc-8,4', 'list'],
] as const)('%s / %s: round trips', (layout, scheme) => {
  it('unregister restores the exact disabled bytes; 1,000 cycles leave the text byte-identical', () => {
    const b = boot(layout, scheme);
    const bootText = b.text();
    const bootGlobals = [SYMS.ftrace_ops_list, SYMS.function_trace_op, SYMS.ftrace_call_dest].map((a) => rd64(b.mem, a));
    const a = opsOn('a', { dynamic: false });
    const c = opsOn('c');
    b.apply(b.core.setFilter(a, 'func* sched*'));
    b.apply(b.core.setNotrace(c, 'vfs_read'));
    for (let i = 0; i < 1000; i++) {
      b.apply(b.core.register(a));
      if (i % 3 === 0) b.apply(b.core.register(c));
      if (i % 7 === 0) b.apply(b.core.setFilter(a, i % 2 ? 'func1' : 'func* sched*'));
      if (i % 3 === 0) b.apply(b.core.unregister(c));
      b.apply(b.core.unregister(a));
      if (i % 100 === 0) expect(b.text()).toEqual(bootText);
    }
    expect(b.text()).toEqual(bootText);
    expect([SYMS.ftrace_ops_list, SYMS.function_trace_op, SYMS.ftrace_call_dest].map((x) => rd64(b.mem, x))).toEqual(bootGlobals);
    for (const r of b.core.records) expect(r.flags).toBe(0);
  });
});

describe('selftest-style counters (trace_selftest_ops)', () => {
  it.each(['callops', 'list'] as const)('%s: probe1/probe2/probe3 + dyn, then "!func1" on probe3', (scheme) => {
    const b = boot(scheme === 'callops' ? 'rvc-8,4' : 'rvc-4', scheme);
    const p1 = new FtraceOps({ name: 'probe1', func: CB, dynamic: false });
    const p2 = new FtraceOps({ name: 'probe2', func: CB + 0x10, dynamic: false });
    const p3 = new FtraceOps({ name: 'probe3', func: CB + 0x20, dynamic: false });
    const dyn = new FtraceOps({ name: 'dyn', func: CB + 0x30 });
    b.apply(b.core.setFilter(p1, 'func1'));
    b.apply(b.core.setFilter(p2, 'func2'));
    b.apply(b.core.setFilter(p3, 'func1 func2'));
    for (const o of [p1, p2, p3]) b.apply(b.core.register(o));
    const counts = new Map<number, number>();
    const call = (fn: string) => {
      for (const op of guestCall(b.mem, scheme, b.rec(fn).ip).ops) counts.set(op, (counts.get(op) ?? 0) + 1);
    };
    const snap = () => [p1, p2, p3].map((o) => counts.get(b.core.opsAddr(o)!) ?? 0);
    call('func1');
    expect(snap()).toEqual([1, 0, 1]);
    call('func2');
    expect(snap()).toEqual([1, 1, 2]);
    b.apply(b.core.register(dyn));
    call('func1');
    expect(snap()).toEqual([2, 1, 3]);
    call('func2');
    expect(snap()).toEqual([2, 2, 4]);
    expect(counts.get(b.core.opsAddr(dyn)!)).toBe(2);
    b.apply(b.core.setFilter(p3, '!func1', false));
    call('func1');
    expect(snap()).toEqual([3, 2, 4]);
    call('func2');
    expect(snap()).toEqual([3, 3, 5]);
    for (const o of [dyn, p1, p2, p3]) b.apply(b.core.unregister(o));
    counts.clear();
    call('func1');
    call('func2');
    expect(snap()).toEqual([0, 0, 0]);
  });
});

describe('errors', () => {
  const b = boot('rvc-8,4', 'callops');
  it('unknown function, bad glob', () => {
    const o = opsOn('o');
    expect(() => b.core.setFilter(o, 'no_such')).toThrow(expect.objectContaining({ code: 'FTRACE_NO_MATCH' }));
    expect(() => b.core.setFilter(o, '')).toThrow(expect.objectContaining({ code: 'FTRACE_BAD_GLOB' }));
    expect(() => b.core.setFilterIp(o, 0x1234)).toThrow(expect.objectContaining({ code: 'FTRACE_NO_MATCH' }));
    expect(o.filterHash.empty).toBe(true);
  });
  it('registering twice, unregistering an unknown ops', () => {
    const o = opsOn('o');
    b.apply(b.core.register(o));
    expect(() => b.core.register(o)).toThrow(expect.objectContaining({ code: 'FTRACE_BUSY' }));
    expect(() => b.core.unregister(opsOn('stranger'))).toThrow(expect.objectContaining({ code: 'FTRACE_NOT_REGISTERED' }));
    b.apply(b.core.unregister(o));
  });
  it('bad ops: unknown named tracer, NULL func, core-owned flags', () => {
    expect(() => b.core.register(new FtraceOps({ func: 'no_tracer' }))).toThrow(expect.objectContaining({ code: 'FTRACE_UNKNOWN_SYMBOL' }));
    expect(() => new FtraceOps({ func: 0 })).toThrow(expect.objectContaining({ code: 'FTRACE_BAD_OPS' }));
    expect(() => new FtraceOps({ func: CB, flags: 1 })).toThrow(expect.objectContaining({ code: 'FTRACE_BAD_OPS' }));
  });
  it('two IPMODIFY ops on one function', () => {
    const x = opsOn('x', { flags: FTRACE_OPS_FL_IPMODIFY | FTRACE_OPS_FL_SAVE_REGS });
    const y = opsOn('y', { flags: FTRACE_OPS_FL_IPMODIFY | FTRACE_OPS_FL_SAVE_REGS });
    b.apply(b.core.setFilter(x, 'func1'));
    b.apply(b.core.setFilter(y, 'func*'));
    b.apply(b.core.register(x));
    expect(() => b.core.register(y)).toThrow(expect.objectContaining({ code: 'FTRACE_IPMODIFY_CONFLICT' }));
    b.apply(b.core.unregister(x));
  });
  it('applyPlanStopped verifies old bytes and writes nothing on a mismatch', () => {
    const o = opsOn('o');
    b.apply(b.core.setFilter(o, 'func1'));
    const plan: PatchPlan = b.core.register(o);
    const ip = b.rec('func1').ip;
    b.mem.write(ip, Uint8Array.of(0xde, 0xad, 0xbe, 0xef));
    const before = b.mem.bytes.slice();
    expect(() => applyPlanStopped(plan, b.mem)).toThrow(expect.objectContaining({ code: 'FTRACE_PATCH_MISMATCH' }));
    expect(Buffer.compare(b.mem.bytes, before)).toBe(0);
  });
});
