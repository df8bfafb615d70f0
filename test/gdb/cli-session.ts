// Test helper: starts `ftrace-lab run ... --gdb 0` and learns the port it listens on from its first stderr line.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const root = join(import.meta.dirname, '../..');
const cli = join(root, 'dist/cli/main.js');

export interface StubProcess {
  port: number;
  child: ChildProcess;
  /** Resolves when the CLI exits: status, stdout, stderr. */
  done: Promise<{ status: number | null; stdout: string; stderr: string }>;
}

export function startStub(args: string[]): Promise<StubProcess> {
  const child = spawn(process.execPath, [cli, 'run', ...args, '--gdb', '0'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  const done = new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
  return new Promise((resolve, reject) => {
    child.stderr!.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
      const m = /waiting for gdb on 127\.0\.0\.1:(\d+)/.exec(stderr);
      if (m) resolve({ port: Number(m[1]), child, done });
    });
    void done.then((r) => reject(new Error(`the stub exited before listening: ${r.status}\n${r.stderr}`)));
  });
}
