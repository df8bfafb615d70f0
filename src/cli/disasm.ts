// `ftrace-lab disasm prog.elf [--symbol NAME]`: objdump-style disassembly of an ELF's executable sections or one function.
import { basename } from 'node:path';
import { parseElf } from '../elf/reader.js';
import type { ElfImage, ElfSection } from '../elf/types.js';
import { FtraceLabError } from '../errors.js';
import { disassembleRange } from '../isa/index.js';
import { EXIT_DATAERR } from './exit-codes.js';
import { VerbUsageError } from './verb-args.js';
import { readInputFile, say, setDebug, verbMain } from './verb-main.js';

export const DISASM_USAGE = `usage: ftrace-lab disasm prog.elf [--symbol NAME] [--no-aliases]

  --symbol NAME    only the function NAME (its ELF symbol size; to the next symbol when the size is 0)
  --no-aliases     print table mnemonics (c.addi a0,1; addi a0,zero,5) instead of aliases (addi a0,a0,1; li a0,5)

Exit status: 0 on success, 65 for a bad ELF file or unknown symbol, 64 for a bad command line.`;

const SHF_EXECINSTR = 0x4;
const SHT_NOBITS = 8;

/** A bad command line. */
export class DisasmUsageError extends VerbUsageError {
  constructor(message: string) {
    super(message, 'DISASM_USAGE');
  }
}

/** The requested symbol is not in the ELF (or not inside an executable section). */
export class DisasmSymbolError extends FtraceLabError {
  constructor(message: string) {
    super('DISASM_SYMBOL', message);
  }
}

export interface DisasmArgs {
  file: string;
  symbol?: string;
  noAliases: boolean;
}

export function parseDisasmArgs(argv: string[]): DisasmArgs | 'help' {
  let file: string | undefined;
  let symbol: string | undefined;
  let noAliases = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-h' || a === '--help') return 'help';
    else if (a === '--debug') setDebug(true);
    else if (a === '--symbol' || a === '-s') {
      symbol = argv[++i];
      if (symbol === undefined) throw new DisasmUsageError(`${a} needs a value`);
    } else if (a === '--no-aliases' || (a === '-M' && argv[i + 1] === 'no-aliases')) {
      if (a === '-M') i++;
      noAliases = true;
    } else if (a.startsWith('-')) throw new DisasmUsageError(`unknown option '${a}'`);
    else if (file === undefined) file = a;
    else throw new DisasmUsageError(`unexpected argument '${a}' (one ELF file per run)`);
  }
  if (file === undefined) throw new DisasmUsageError('missing the ELF file to disassemble');
  return { file, noAliases, ...(symbol !== undefined ? { symbol } : {}) };
}

function sectionBytes(bytes: Uint8Array, s: ElfSection): Uint8Array {
  return bytes.subarray(s.offset, s.offset + s.size);
}

/** The objdump-style listing of an ELF image (all executable sections, or one symbol's range). */
export function disassembleElf(bytes: Uint8Array, img: ElfImage, name: string, opts: { symbol?: string; noAliases?: boolean }): string {
  const symbols = img.symbols.filter((s) => s.shndx !== 0 && s.type !== 'section' && s.type !== 'file');
  const exec = img.sections.filter((s) => s.flags & SHF_EXECINSTR && s.type !== SHT_NOBITS && s.size > 0);
  const dopts = opts.noAliases ? { noAliases: true } : {};
  const out: string[] = [`\n${name}:     file format elf64-littleriscv\n`];
  if (opts.symbol !== undefined) {
    const sym = symbols.find((s) => s.name === opts.symbol);
    if (!sym) throw new DisasmSymbolError(`no symbol '${opts.symbol}' in ${name}`);
    const sec = exec.find((s) => sym.value >= s.addr && sym.value < s.addr + s.size);
    if (!sec) throw new DisasmSymbolError(`symbol '${opts.symbol}' is not in an executable section`);
    let end = sym.size > 0 ? sym.value + sym.size : Math.min(...symbols.filter((s) => s.value > sym.value).map((s) => s.value), sec.addr + sec.size);
    end = Math.min(end, sec.addr + sec.size);
    const data = sectionBytes(bytes, sec).subarray(sym.value - sec.addr, end - sec.addr);
    out.push(`\nDisassembly of section ${sec.name}:\n`, disassembleRange(data, sym.value, symbols, dopts));
    return out.join('\n');
  }
  for (const sec of exec) {
    out.push(`\nDisassembly of section ${sec.name}:\n`, disassembleRange(sectionBytes(bytes, sec), sec.addr, symbols, dopts));
  }
  return out.join('\n');
}

async function disasmMain(args: DisasmArgs): Promise<number> {
  const bytes = readInputFile(args.file);
  let img: ElfImage;
  try {
    img = parseElf(bytes);
  } catch (e) {
    if (!(e instanceof FtraceLabError)) throw e;
    say('disasm', `${args.file}: ${e.message}`);
    return EXIT_DATAERR;
  }
  process.stdout.write(disassembleElf(bytes, img, basename(args.file), { ...(args.symbol !== undefined ? { symbol: args.symbol } : {}), noAliases: args.noAliases }));
  return 0;
}

export const main = verbMain('disasm', DISASM_USAGE, parseDisasmArgs, disasmMain);
