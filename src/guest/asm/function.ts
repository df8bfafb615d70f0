// Shared helper for the runtime's assembly modules: wraps a body as a global function with .type/.size.

/** `name:` with .globl, .type @function and .size around `body` lines. */
export function asmFunction(name: string, body: readonly string[]): string {
  return [`\t.globl\t${name}`, `\t.type\t${name}, @function`, `${name}:`, ...body, `\t.size\t${name}, .-${name}`].join('\n');
}
