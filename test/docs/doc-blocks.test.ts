// The doc-test markup: markers bind to the next block, output blocks attach to the block before, untagged fences are reported.
import { describe, expect, it } from 'vitest';
import { docBlocks, markupProblems } from './doc-blocks.js';

describe('docBlocks', () => {
  it('reads tags, skip/exit/output markers and untagged fences', () => {
    const md = ['# t', '<!-- doc-test: skip (needs a network here) -->', '```sh', 'npm install', '```', '', '<!-- doc-test: exit 3 -->',
      '```sh', 'exit 3', '```', '<!-- doc-test: output -->', '```text', 'hi', '```', 'text', '```', 'synopsis', '```', ''].join('\n');
    const b = docBlocks('x.md', md);
    expect(b.map((x) => [x.line, x.lang, x.skip, x.exit, x.output, x.isOutput])).toEqual([
      [3, 'sh', 'needs a network here', undefined, undefined, false],
      [8, 'sh', undefined, 3, 'hi\n', false],
      [12, 'text', undefined, undefined, undefined, true],
      [16, '', undefined, undefined, undefined, false],
    ]);
    expect(markupProblems(b)).toEqual(["x.md:16: fence tagged '' (tag every block: sh, ts, js, text, ini, yaml, json, c, asm)"]);
  });

  it('a marker followed by prose does not reach the next block', () => {
    const b = docBlocks('y.md', ['<!-- doc-test: skip (a long enough reason) -->', 'Some prose.', '```sh', 'true', '```'].join('\n'));
    expect(b[0]!.skip).toBeUndefined();
  });
});
