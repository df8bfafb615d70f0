// `ftrace-lab asm prog.s -o prog.elf|prog.bin`: assembles GNU-as style source to an ELF executable or flat .text bytes.
import { extname } from 'node:path';
import { AsmError, assemble, toElf, toFlatBinary } from '../isa/index.js';
import { EXIT_DATAERR } from './exit-codes.js';
import { parseAddressArg, parseChoice, VerbUsageError } from './verb-args.js';
import { readInputFile, setDebug, verbMain, writeOutputFile } from './verb-main.js';

export const ASM_USAGE = `usage: ftrace-lab asm prog.s [-o prog.elf|prog.bin] [--march rv64imac] [--base 0x80000000]

  -o FILE          output file; .bin writes the flat bytes of .text, anything else an ELF executable
                   (default: the input name with .elf)
  --format F       elf or bin (overrides the extension)
  --march ARCH     rv64i[m][a][f][d][c] or rv64g[c] (default rv64imac; c enables automatic compression)
  --base ADDR      address of .text (default 0x80000000); other sections follow it
  --section-addr NAME=ADDR   place one section at a fixed address (repeatable)

Exit status: 0 on success, 65 when the source has errors (all listed as file:line:column), 64 for a bad command line.`;

/** A bad command line. */
export class AsmUsageError extends VerbUsageError {
  constructor(message: string) {
    super(message, 'ASM_USAGE');
  }
}

export interface AsmArgs {
  input: string;
  output: string;
  format: 'elf' | 'bin';
  march?: string;
  base?: number;
  sectionAddrs: Record<string, number>;
}

export function parseAsmArgs(argv: string[]): AsmArgs | 'help' {
  let input: string | undefined;
  let output: string | undefined;
  let format: 'elf' | 'bin' | undefined;
  let march: string | undefined;
  let base: number | undefined;
  const sectionAddrs: Record<string, number> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new AsmUsageError(`${a} needs a value`);
      return v;
    };
    if (a === '-h' || a === '--help') return 'help';
    else if (a === '--debug') setDebug(true);
    else if (a === '-o' || a === '--output') output = value();
    else if (a === '--march' || a === '-march') march = value();
    else if (a === '--base') base = parseAddressArg(value(), a);
    else if (a === '--format') format = parseChoice(value(), a, ['elf', 'bin'] as const);
    else if (a === '--section-addr') {
      const m = /^([^=]+)=(.+)$/.exec(value());
      if (!m) throw new AsmUsageError('--section-addr: expected NAME=ADDR, e.g. .data=0x80100000');
      sectionAddrs[m[1]!] = parseAddressArg(m[2]!, a);
    } else if (a.startsWith('-') && a !== '-') throw new AsmUsageError(`unknown option '${a}'`);
    else if (input === undefined) input = a;
    else throw new AsmUsageError(`unexpected argument '${a}' (one source file per run)`);
  }
  if (input === undefined) throw new AsmUsageError('missing the source file (prog.s)');
  const out = output ?? `${input.replace(/\.[sS]$/, '')}.elf`;
  return {
    input,
    output: out,
    format: format ?? (extname(out).toLowerCase() === '.bin' ? 'bin' : 'elf'),
    ...(march !== undefined ? { march } : {}),
    ...(base !== undefined ? { base } : {}),
    sectionAddrs,
  };
}

async function asmMain(args: AsmArgs): Promise<number> {
  const source = readInputFile(args.input).toString('utf8');
  try {
    const prog = assemble(source, {
      file: args.input,
      ...(args.march !== undefined ? { march: args.march } : {}),
      ...(args.base !== undefined ? { base: args.base } : {}),
      sectionAddrs: args.sectionAddrs,
    });
    writeOutputFile(args.output, args.format === 'bin' ? toFlatBinary(prog) : toElf(prog));
    return 0;
  } catch (e) {
    if (!(e instanceof AsmError)) throw e;
    process.stderr.write(e.message + '\n'); // file:line:column: message, one per error
    return EXIT_DATAERR;
  }
}

export const main = verbMain('asm', ASM_USAGE, parseAsmArgs, asmMain);
