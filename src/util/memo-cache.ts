// A small least-recently-used cache keyed by the canonical JSON of plain-data options (assembled images, runtimes).

/**
 * Canonical JSON of plain data (objects with sorted keys, arrays, strings, finite numbers, booleans, null; undefined
 * properties are left out), or undefined when the value holds anything else (functions, class instances, typed
 * arrays, bigints, non-finite numbers, cycles): such options are not cached, so a key never hides a difference.
 */
export function canonicalKey(value: unknown): string | undefined {
  const seen = new Set<object>();
  const walk = (v: unknown): string | undefined => {
    if (v === null) return 'null';
    switch (typeof v) {
      case 'string':
      case 'boolean':
        return JSON.stringify(v);
      case 'number':
        return Number.isFinite(v) ? JSON.stringify(v) : undefined;
      case 'object': {
        if (seen.has(v)) return undefined;
        seen.add(v);
        let out: string | undefined;
        if (Array.isArray(v)) {
          const parts: string[] = [];
          for (const x of v) {
            const s = x === undefined ? 'null' : walk(x);
            if (s === undefined) return undefined;
            parts.push(s);
          }
          out = `[${parts.join(',')}]`;
        } else {
          const proto = Object.getPrototypeOf(v) as unknown;
          if (proto !== Object.prototype && proto !== null) return undefined;
          const parts: string[] = [];
          for (const k of Object.keys(v).sort()) {
            const x = (v as Record<string, unknown>)[k];
            if (x === undefined) continue;
            const s = walk(x);
            if (s === undefined) return undefined;
            parts.push(`${JSON.stringify(k)}:${s}`);
          }
          out = `{${parts.join(',')}}`;
        }
        seen.delete(v);
        return out;
      }
      default:
        return undefined;
    }
  };
  return walk(value);
}

/** Least-recently-used map with a fixed capacity. */
export class MemoCache<V> {
  private readonly map = new Map<string, V>();
  hits = 0;
  misses = 0;

  constructor(readonly capacity: number) {}

  /** The cached value for key, or make() (then cached); key undefined = not cacheable: make() every time. */
  get(key: string | undefined, make: () => V): V {
    if (key === undefined) return make();
    const have = this.map.get(key);
    if (have !== undefined) {
      this.hits++;
      this.map.delete(key);
      this.map.set(key, have);
      return have;
    }
    this.misses++;
    const v = make();
    this.map.set(key, v);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as string);
    return v;
  }

  clear(): void {
    this.map.clear();
  }

  get size(): number {
    return this.map.size;
  }
}
