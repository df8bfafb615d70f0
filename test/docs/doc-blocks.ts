// Code blocks of the user docs (README.md and the other Markdown files users read), with their doc-test markers:
//   <!-- doc-test: skip (reason) -->   the next block is not run (the reason is required)
//   <!-- doc-test: exit N -->          the next sh block must exit with status N (default 0)
//   <!-- doc-test: output -->          the next ```text block is the exact stdout of the block before it
// Blocks tagged sh, ts or js are runnable; text, ini and the like are not; an untagged fence is an error.
import { readFileSync } from 'node:fs';

export type BlockLang = 'sh' | 'ts' | 'js' | 'text' | 'ini' | 'yaml' | 'json' | 'c' | 'asm';
export const RUNNABLE: readonly BlockLang[] = ['sh', 'ts', 'js'];
const KNOWN: readonly string[] = ['sh', 'ts', 'js', 'text', 'ini', 'yaml', 'json', 'c', 'asm'];

export interface DocBlock {
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly lang: string;
  readonly code: string;
  readonly skip?: string;
  readonly exit?: number;
  /** The expected stdout (a following ```text block marked `output`). */
  readonly output?: string;
  /** This block is another block's expected output. */
  readonly isOutput: boolean;
}

export function docBlocks(file: string, text = readFileSync(file, 'utf8')): DocBlock[] {
  const lines = text.split('\n');
  const blocks: DocBlock[] = [];
  let pending: { skip?: string; exit?: number; output?: boolean } = {};
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    const marker = /^<!-- doc-test: (skip \((.+)\)|exit (\d+)|output) -->$/.exec(l.trim());
    if (marker) {
      if (marker[2] !== undefined) pending.skip = marker[2];
      else if (marker[3] !== undefined) pending.exit = Number(marker[3]);
      else pending.output = true;
      continue;
    }
    const open = /^```(\S*)\s*$/.exec(l);
    if (!open) {
      if (l.trim() !== '') pending = {};
      continue;
    }
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    const block: DocBlock = {
      file, line: start + 1, lang: open[1]!, code: body.join('\n') + '\n', isOutput: pending.output === true,
      ...(pending.skip !== undefined ? { skip: pending.skip } : {}),
      ...(pending.exit !== undefined ? { exit: pending.exit } : {}),
    };
    if (block.isOutput) {
      const prev = blocks[blocks.length - 1];
      if (!prev) throw new Error(`${file}:${block.line}: an output block needs a block before it`);
      blocks[blocks.length - 1] = { ...prev, output: block.code };
    }
    blocks.push(block);
    pending = {};
  }
  return blocks;
}

/** Problems with the markup itself: untagged or unknown fences. */
export function markupProblems(blocks: readonly DocBlock[]): string[] {
  return blocks.filter((b) => !KNOWN.includes(b.lang)).map((b) => `${b.file}:${b.line}: fence tagged '${b.lang}' (tag every block: ${KNOWN.join(', ')})`);
}
