// Shared-memory layout: the one place that defines where everything lives in the machine's
// single shared WebAssembly.Memory. Compiled twice: by tsc for the host and by asc for the
// engine (assembly/ imports this file), so it must stay plain `export const NAME = literal`.
//
//   0x0000_0000  AssemblyScript static data (immutable tables only; re-copied by every instance)
//   CTRL_BASE    control block: machine-wide words, CLINT state, UART transmit ring
//   HART_BASE    one HART_STATE_SIZE block per hart (registers, pc, CSRs, counters, reservation)
//   DCACHE_BASE  one DCACHE_PER_HART region per hart (predecoded instruction cache)
//   RAM_WASM_BASE  guest RAM: guest physical RAM_GUEST_BASE maps here
//
// Offsets inside blocks are byte offsets; all multi-byte fields are naturally aligned.

// ---- machine-wide limits
export const MAX_HARTS = 32;
export const RAM_GUEST_BASE = 0x80000000;
export const DEFAULT_RAM_SIZE = 0x8000000; // 128 MiB
export const PAGE_SIZE = 0x10000; // Wasm page (64 KiB)

// ---- regions of the Wasm memory
export const AS_DATA_LIMIT = 0x100000; // AssemblyScript data must end below 1 MiB
export const CTRL_BASE = 0x100000;
export const CTRL_SIZE = 0x10000;
export const HART_BASE = 0x110000;
export const HART_STATE_SIZE = 0x1000;
export const DCACHE_BASE = 0x200000; // = HART_BASE + MAX_HARTS * HART_STATE_SIZE, rounded up
export const DCACHE_PER_HART = 0x800000; // 8 MiB per hart (bound: <= 32 MiB)
export const RAM_WASM_BASE = 0x10200000; // = DCACHE_BASE + MAX_HARTS * DCACHE_PER_HART

// ---- control block (offsets from CTRL_BASE)
export const CTRL_MAGIC = 0x00; // u32 'FTLB'
export const CTRL_NHARTS = 0x04; // u32
export const CTRL_RAM_SIZE = 0x08; // u64 bytes of guest RAM
export const CTRL_MTIME = 0x10; // u64 CLINT mtime
export const CTRL_EXIT = 0x18; // u32: 0 = running, else (exitCode << 1) | 1 as written to tohost
export const CTRL_PAUSE = 0x1c; // u32: nonzero asks every hart to stop at the next boundary
export const CTRL_TOHOST = 0x20; // u64 guest address of tohost (0 = none)
export const CTRL_FROMHOST = 0x28; // u64 guest address of fromhost (0 = none)
export const CTRL_EPOCH = 0x30; // u32 bumped by the host on every pause/resume cycle
export const CTRL_FLAGS = 0x34; // u32 machine options (CTRL_FLAG_*)
export const CTRL_EXIT_CODE = 0x38; // u64 raw tohost value that ended the run
export const CTRL_MSIP = 0x100; // u32[MAX_HARTS] CLINT msip
export const CTRL_MTIMECMP = 0x200; // u64[MAX_HARTS] CLINT mtimecmp
export const CTRL_UART_HEAD = 0x1000; // u32 producer index (bytes written, wraps)
export const CTRL_UART_TAIL = 0x1004; // u32 consumer index (bytes drained by the host)
export const CTRL_UART_LCR = 0x1008; // u32 16550 line control register shadow
export const CTRL_UART_IER = 0x100c; // u32 16550 interrupt enable shadow
export const CTRL_UART_SCR = 0x1010; // u32 16550 scratch register
export const CTRL_UART_BUF = 0x2000; // u8[UART_BUF_SIZE] transmit ring
export const UART_BUF_SIZE = 0x8000;

// machine option bits (CTRL_FLAGS)
export const CTRL_FLAG_COHERENT = 1; // stores invalidate every hart's decode cache (oracle mode)
export const CTRL_FLAG_HOST_ECALL = 2; // Linux-user mode: exceptions from U-mode stop run() (STOP_ECALL / STOP_USER_TRAP)
export const CTRL_FLAG_WALL_CLOCK = 8; // parallel mode: the `time` CSR reads the host wall clock (10 MHz), not the last slice's mtime
export const CTRL_FLAG_FETCH_PARCELS = 4; // fetch every 32-bit instruction as two 16-bit parcels (may tear); default Ziccif

// ---- devices (guest physical addresses)
export const CLINT_BASE = 0x2000000;
export const CLINT_SIZE = 0x10000;
export const CLINT_MSIP = 0x0; // + 4 * hart
export const CLINT_MTIMECMP = 0x4000; // + 8 * hart
export const CLINT_MTIME = 0xbff8;
export const UART_BASE = 0x10000000;
export const UART_SIZE = 0x100;

// ---- hart state block (offsets from HART_BASE + hart * HART_STATE_SIZE)
export const H_X = 0x000; // u64[32] x0..x31; x0 always reads 0
export const H_XSINK = 0x100; // u64 where writes to x0 go (decoded rd=0 -> index 32)
export const H_PC = 0x108; // u64
export const H_PRIV = 0x110; // u32 current privilege (0 U, 1 S, 3 M)
export const H_STOP = 0x114; // u32 last stop reason (STOP_*)
export const H_INSTRET = 0x118; // u64 minstret
export const H_CYCLE = 0x120; // u64 mcycle
export const H_F = 0x200; // u64[32] f0..f31 (NaN-boxed)
export const H_CSR = 0x400; // engine-private CSR storage (see assembly/csr.ts)
export const H_HOST = 0xf00; // u32 mailbox words for the host (breakpoint address etc.)

// ---- stop reasons returned by run(hart, budget)
export const STOP_BUDGET = 0; // ran the whole budget
export const STOP_HALTED = 1; // tohost written: CTRL_EXIT holds the value
export const STOP_WFI = 2; // executed wfi with no interrupt pending
export const STOP_BREAKPOINT = 3; // reached the host breakpoint address
export const STOP_FAULT_LOOP = 4; // traps without retiring anything (trap storm)
export const STOP_ERROR = 5; // engine-internal error (see H_HOST)
export const STOP_PAUSE = 6; // CTRL_PAUSE was set

// ---- additions for the hart engine (assembly/): more control-block words
export const CTRL_UART_DLL = 0x1014; // u32 16550 divisor latch low (DLAB=1, offset 0)
export const CTRL_UART_DLM = 0x1018; // u32 16550 divisor latch high (DLAB=1, offset 1)
export const CTRL_UART_MCR = 0x101c; // u32 16550 modem control register
export const CTRL_UART_FCR = 0x1020; // u32 16550 FIFO control (write-only on hardware; kept for IIR)

// ---- hart block: engine words shared with the host (offsets from the hart's block)
export const H_GEN = 0x128; // u32 decode-cache generation (bumped by fence.i / host flush; starts at 1)
export const H_RETIRED = 0x130; // u64 instructions retired since reset (not guest-writable)
export const H_RESV = 0x138; // u64 LR reservation address (all ones = none)
export const H_RESV_VAL = 0x140; // u64 value loaded by the LR that made the reservation
export const H_STORM = 0x148; // u32 traps in a row without a retired instruction
export const H_STORM_RET = 0x150; // u64 H_RETIRED at the last trap
export const H_TLB = 0x800; // TLB_ENTRIES * 32 bytes (0x800..0xc00) of Sv39 TLB (engine-private)
export const TLB_ENTRIES = 32;
export const H_BREAKPOINT = 0xf00; // u64 host breakpoint guest virtual address
export const H_BREAKPOINT_ON = 0xf08; // u32 nonzero = breakpoint armed
export const H_BP_STOPPED = 0xf40; // u64 engine-private: pc of this hart's last STOP_BREAKPOINT (its next run() executes it)
export const H_BP_STOPPED_ON = 0xf48; // u32 engine-private: nonzero = H_BP_STOPPED is set (cleared by every run() call)
export const H_ERROR = 0xf0c; // u32 engine-internal error code when STOP_ERROR
export const H_FAULT_PC = 0xf10; // u64 fault report (filled when STOP_FAULT_LOOP): pc of the last trap
export const H_FAULT_INSN = 0xf18; // u32 instruction bits at that pc (0 if unfetchable)
export const H_FAULT_PRIV = 0xf1c; // u32 privilege the trap was taken from
export const H_FAULT_CAUSE = 0xf20; // u64 cause
export const H_FAULT_TVAL = 0xf28; // u64 tval
export const H_LAST_RUN = 0xf30; // u64 instructions retired by the last run() call

// ---- decode cache (offsets from DCACHE_BASE + hart * DCACHE_PER_HART)
// DC_SLOTS direct-mapped slots, one 4 KiB guest physical page each: slot = ppn % DC_SLOTS.
// Tags (u64 ppn, u32 gen) at DC_TAGS + 16 * slot; entries (32 bytes per 2-byte offset, plus 2
// page-crossing sentinel entries) at DC_ENTRIES + DC_SLOT_SIZE * slot.
export const DC_SLOTS = 127;
export const DC_TAGS = 0x0;
export const DC_ENTRIES = 0x1000;
export const DC_ENTRY_SIZE = 32;
export const DC_SLOT_SIZE = 0x10040;

// ---- more stop reasons
export const STOP_UART_FULL = 7; // UART ring full: the host must drain it and run again

// ---- parallel mode (src/machine/parallel/): per-hart worker state and machine-wide counters
export const CTRL_WSTATE = 0x300; // u32[MAX_HARTS] worker state of each hart (WS_*)
export const CTRL_RETIRED = 0x380; // u64 instructions retired by all workers (Atomics.add per slice)
export const CTRL_BUDGET = 0x388; // u64 machine-wide instruction budget for a parallel run
export const CTRL_START_US = 0x390; // u64 wall-clock start of the run in microseconds (mtime origin)
export const CTRL_DOORBELL = 0x3a0; // u32 bumped + notified by the host to wake parked workers
export const CTRL_HART_PAUSE = 0x700; // u32[MAX_HARTS] nonzero: the host holds this one hart parked (checked between slices)
export const WS_IDLE = 0; // not started or finished
export const WS_RUNNING = 1;
export const WS_WFI = 2; // sleeping in wfi (Atomics.wait on its msip word)
export const WS_PAUSED = 3; // parked at an instruction boundary by CTRL_PAUSE or its CTRL_HART_PAUSE word
export const WS_DONE = 4; // stopped: halt, fault, budget or error

// ---- Linux-user mode (src/user/): U-mode exceptions served by the host (CTRL_FLAG_HOST_ECALL)
export const STOP_ECALL = 8; // U-mode ecall: pc left AT the ecall; the host serves it, sets a0, pc += 4
export const STOP_USER_TRAP = 9; // any other U-mode exception: cause/tval/pc in H_FAULT_*, hart state unchanged
export const H_HOST_TRAP = 0xf38; // u32 engine-private: a U-mode trap was handed to the host by this run()

// ---- QEMU-virt board devices (assembly/board.ts, src/board/): PLIC, UART receive, sifive,test finisher, boot ROM
export const BOOTROM_BASE = 0x1000; // read-only; holds the flattened device tree (a1 at reset points here)
export const BOOTROM_SIZE = 0x4000;
export const TEST_BASE = 0x100000; // sifive,test: 0x5555 power off, 0x7777 reset, (code << 16) | 0x3333 fail
export const TEST_SIZE = 0x1000;
export const PLIC_BASE = 0xc000000;
export const PLIC_SIZE = 0x600000;
export const PLIC_SOURCES = 32; // sources 1..31 exist (priority 0..7); the UART is source UART_IRQ
export const UART_IRQ = 10;
export const CTRL_PLIC_PRIORITY = 0xb000; // u32[PLIC_SOURCES]
export const CTRL_PLIC_CLAIMED = 0xb080; // u32 bitmask of sources claimed and not yet completed
export const CTRL_PLIC_ENABLE = 0xb100; // u32[2 * MAX_HARTS]: context 2h = hart h M-mode, 2h + 1 = S-mode
export const CTRL_PLIC_THRESHOLD = 0xb200; // u32[2 * MAX_HARTS]
export const CTRL_UART_THRE_IP = 0xb300; // u32 16550 "transmitter holding register empty" interrupt pending
export const CTRL_UART_RX_HEAD = 0xb304; // u32 bytes the host pushed (wraps)
export const CTRL_UART_RX_TAIL = 0xb308; // u32 bytes the guest read (wraps)
export const CTRL_FINISHER = 0xb30c; // u32 value the guest wrote to the sifive,test device (0 = none yet)
export const CTRL_UART_RX_BUF = 0xb400; // u8[UART_RX_SIZE] receive ring
export const UART_RX_SIZE = 0x400;
export const CTRL_BOOTROM = 0xc000; // u8[BOOTROM_SIZE] boot ROM contents

// ---- watch log (assembly/watch.ts): an event log the host reads (stores into a physical range, fence.i, SBI calls)
export const CTRL_WATCH_FLAGS = 0xb310; // u32 WATCH_* bits (0 = off)
export const CTRL_WATCH_CAP = 0xb314; // u32 log capacity in events (power of two)
export const CTRL_WATCH_LO = 0xb318; // u64 physical store range [lo, hi)
export const CTRL_WATCH_HI = 0xb320;
export const CTRL_WATCH_LOG = 0xb328; // u64 guest physical address of the log (in RAM the guest is not told about)
export const CTRL_WATCH_HEAD = 0xb330; // u32 events reserved by harts (wraps)
export const CTRL_WATCH_LOST = 0xb334; // u32 events dropped because the log was full
export const CTRL_WATCH_TAIL = 0xb338; // u32 events consumed by the host (wraps)
export const WATCH_STORES = 1; // log stores into [CTRL_WATCH_LO, CTRL_WATCH_HI)
export const WATCH_FENCE_I = 2; // log fence.i
export const WATCH_ECALL = 4; // log ecalls from S-mode (SBI calls): value = a7 << 32 | low 32 bits of a6
export const WATCH_DECODE = 8; // log each decode of an instruction whose pa is in [CTRL_WATCH_DLO, CTRL_WATCH_DHI) (the checker's fetch view)
export const CTRL_WATCH_DLO = 0xb340; // u64 physical decode range [lo, hi)
export const CTRL_WATCH_DHI = 0xb348;
export const WEV_SIZE = 32; // event: u32 kind|hart<<8|priv<<16|size<<24 (written last; 0 = not yet), u32 0,
export const WEV_STORE = 1; //   u64 addr (pa of a store, else pc), u64 value (the stored value; ecall: a7 << 32 | a6),
export const WEV_FENCE_I = 2; //  u64 the hart's retired-instruction count
export const WEV_ECALL = 3;
export const WEV_DECODE = 4; // addr = pa of the instruction, value = the bytes decoded (16 or 32 bits), size = 2 or 4

// ---- data TLB of the hot loop (assembly/mmu.ts, "fast data TLB"): per hart, between the hart blocks and the decode caches
// Three translation contexts (U, S, S with SUM) x (load set, store set) x DTLB_ENTRIES entries of 16 bytes
// (u64 tag = page va, all ones when empty; u64 addend: RAM offset - va).
export const DTLB_BASE = 0x130000; // = HART_BASE + MAX_HARTS * HART_STATE_SIZE
export const DTLB_ENTRIES = 256;
export const DTLB_SET_SIZE = 0x1000; // DTLB_ENTRIES * 16
export const DTLB_PER_HART = 0x6000; // 6 sets
export const DTLB_EMPTY = 0x1f0000; // one set that is never filled: accesses that must take the slow path look here
export const H_DTLB_MXR = 0xf3c; // u32 engine-private: mstatus.MXR the data TLB was filled under

// ---- block compiler (issue 15; assembly/README.md "Compiled blocks", src/machine/jit/)
export const CTRL_FLAG_JIT = 16; // engine 'jit': hot block heads are reported to the host (env.jitCompile), which compiles them
export const H_JIT_N = 0xe04; // u32 instructions the last compiled block call retired
export const H_JIT_PC = 0xe08; // u64 next pc when a compiled block left the page
export const H_JIT_RAMLIM = 0xe10; // u64 copies of the run loop's data-path words for compiled code (run.ts deriveDataPath)
export const H_JIT_STLIM = 0xe18; // u64
export const H_JIT_THLO = 0xe20; // u64
export const H_JIT_LDTLB = 0xe28; // u32
export const H_JIT_STTLB = 0xe2c; // u32
// per-hart directory of compiled heads (in the hart's decode-cache region, after the slots): JIT_DIR_ENTRIES
// direct-mapped 16-byte entries indexed by (entry address >> 5): u32 entry address, u32 table index, u32 block length
export const DC_JIT_DIR = 0x7f4000;
export const JIT_DIR_ENTRIES = 2048;

// ---- debugger breakpoints (gdb stub): one machine-wide list, checked by every hart before it executes an address
// (never ebreak bytes in guest memory). Between the UART transmit ring and the board devices.
export const CTRL_BP_COUNT = 0xa000; // u32 number of armed entries in CTRL_BP_LIST (0 = none: no cost)
export const CTRL_BP_LIST = 0xa008; // u64[MAX_BREAKPOINTS] guest virtual addresses
export const MAX_BREAKPOINTS = 64;

// ---- deterministic batches (issue 15): scheduling decisions drawn and run back to back by the engine
// (assembly/index.ts runBatch) in one call, with the host scheduler's PRNG (src/util/prng.ts, sfc32) handed over in
// the header. Between the data TLBs and the decode caches.
export const SCHED_BATCH_BASE = 0x1f4000;
export const SCHED_BATCH_MAX = 1024;
export const SB_MTIME_REM = 0x00; // u32 mtime remainder (in/out): instructions not yet turned into ticks
export const SB_MTIME_DIV = 0x04; // u32 instructions per mtime tick (all harts together)
export const SB_PRNG = 0x08; // u32[4] sfc32 state a, b, c, d (in/out)
export const SB_QUANTUM = 0x18; // u32 largest budget drawn
export const SB_CAP = 0x1c; // u32 largest budget granted (the run's slice)
export const SB_PARTIES = 0x20; // u32 number of runnable harts
export const SB_RUNNABLE = 0x40; // u32[MAX_HARTS] the runnable harts, ascending
export const SB_HART_INSNS = 0xc0; // f64[MAX_HARTS] instructions each runnable hart retired in the batch (out)
export const SB_ENTRIES = 0x200; // SCHED_BATCH_MAX entries of 16 bytes (out): u32 hart, u32 budget, u32 retired, u32 stop
