// `ftrace-lab asm prog.s -o prog.elf|prog.bin`: assembles GNU-as style source to an ELF executable or flat .text bytes.
import { readFileSync, writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import { FtraceLabError } from '../errors.js';
import { AsmError, assemble, toElf, toFlatBinary } from '../isa/index.js';
import { EXIT_DATAERR, EXIT_USAGE } from './exit-codes.js';

export const ASM_USAGE = `usage: ftrace-lab asm prog.s [-o prog.elf|prog.bin] [--march rv64imac] [--base 0x80000000]

  -o FILE          output file; .bin writes the flat bytes of .text, anything else an ELF executable
                   (default: the input name with .elf)
  --format F       elf or bin (overrides the extension)
  --march ARCH     rv64i[m][a][f][d][c] or rv64g[c] (default rv64imac; c enables automatic compression)
  --base ADDR      address of .text (default 0x80000000); other sections follow it
  --section-addr NAME=ADDR   place one section at a fixed address (repeatable)

Exit status: 0 on success, 65 when the source has errors (all listed as file:line:column), 64 for a bad command line.`;

/** A bad command line. */
export class AsmUsageError extends FtraceLabError {
  constructor(message: string) {
    super('ASM_USAGE', message);
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

function parseAddress(text: string): number {
  const v = Number(text.replace(/_/g, ''));
  if (!/^(0x[0-9a-f_]+|[0-9_]+)$/i.test(text) || !Number.isSafeInteger(v)) throw new AsmUsageError(`bad address '${text}' (expected e.g. 0x80000000)`);
  return v;
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
    else if (a === '-o' || a === '--output') output = value();
    else if (a === '--march' || a === '-march') march = value();
    else if (a === '--base') base = parseAddress(value());
    else if (a === '--format') {
      const f = value();
      if (f !== 'elf' && f !== 'bin') throw new AsmUsageError(`bad --format '${f}' (expected elf or bin)`);
      format = f;
    } else if (a === '--section-addr') {
      const m = /^([^=]+)=(.+)$/.exec(value());
      if (!m) throw new AsmUsageError('--section-addr expects NAME=ADDR');
      sectionAddrs[m[1]!] = parseAddress(m[2]!);
    } else if (a.startsWith('-') && a !== '-') throw new AsmUsageError(`unknown option ${a}`);
    else if (input === undefined) input = a;
    else throw new AsmUsageError(`unexpected argument ${a}`);
  }
  if (input === undefined) throw new AsmUsageError('missing input file');
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

export async function main(argv: string[]): Promise<number> {
  let args: AsmArgs | 'help';
  try {
    args = parseAsmArgs(argv);
  } catch (e) {
    if (!(e instanceof AsmUsageError)) throw e;
    process.stderr.write(`ftrace-lab asm: ${e.message}\n${ASM_USAGE}\n`);
    return EXIT_USAGE;
  }
  if (args === 'help') {
    process.stdout.write(ASM_USAGE + '\n');
    return 0;
  }
  let source: string;
  try {
    source = readFileSync(args.input, 'utf8');
  } catch (e) {
    process.stderr.write(`ftrace-lab asm: cannot read ${args.input}: ${(e as Error).message}\n`);
    return EXIT_DATAERR;
  }
  try {
    const prog = assemble(source, {
      file: args.input,
      ...(args.march !== undefined ? { march: args.march } : {}),
      ...(args.base !== undefined ? { base: args.base } : {}),
      sectionAddrs: args.sectionAddrs,
    });
    writeFileSync(args.output, args.format === 'bin' ? toFlatBinary(prog) : toElf(prog));
    return 0;
  } catch (e) {
    if (!(e instanceof AsmError)) throw e;
    process.stderr.write(e.message + '\n');
    return EXIT_DATAERR;
  }
}
