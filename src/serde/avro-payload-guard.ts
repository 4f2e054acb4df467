import type avro from 'avsc';
import type { DecodeLimits } from './decode-limits.js';

/**
 * Why a payload was refused by the guard.
 *
 * @example
 * ```ts
 * const failure: GuardFailure = { reason: 'too-large', message: 'array declares 5000000 items ...' };
 * ```
 */
export interface GuardFailure {
  readonly reason: 'truncated' | 'corrupt' | 'too-large';
  readonly message: string;
}

/**
 * A skip-only pass over an Avro body that checks every declared length and
 * count against the bytes that remain and the {@link DecodeLimits}, allocating
 * nothing. It exists because avsc trusts declared array/map counts (it runs
 * `new Array(n)` and loops `n` times even past the end of the buffer), so a
 * 6-byte payload could make it allocate gigabytes.
 *
 * `required` is false for schemas without arrays, maps or recursion: avsc is
 * already safe on them (it checks string/bytes lengths against the buffer
 * before slicing), so the hot path skips the extra pass.
 *
 * @example
 * ```ts
 * const guard = AvroPayloadGuard.for(writerType);
 * guard.check(buf, 5, DEFAULT_DECODE_LIMITS); // undefined when safe to decode
 * ```
 */
export class AvroPayloadGuard {
  private constructor(private readonly skip: Skipper, readonly required: boolean) {}

  /** Compiles a guard for a writer type. */
  static for(type: avro.Type): AvroPayloadGuard {
    const compiler = new Compiler();
    const skip = compiler.compile(type);
    return new AvroPayloadGuard(skip, compiler.hasCollections || compiler.recursive);
  }

  /** Checks `buf[offset..]`; `undefined` when it is safe to hand to avsc. */
  check(buf: Buffer, offset: number, limits: DecodeLimits): GuardFailure | undefined {
    const state: ScanState = { buf, pos: offset, items: 0, depth: 0, limits };
    try {
      this.skip(state);
    } catch (err) {
      if (err instanceof ScanFailure) return { reason: err.reason, message: err.message };
      throw err;
    }
    if (state.pos < buf.length) {
      return { reason: 'corrupt', message: `${buf.length - state.pos} trailing byte(s) after the Avro body` };
    }
    return undefined;
  }
}

interface ScanState {
  readonly buf: Buffer;
  pos: number;
  items: number;
  depth: number;
  readonly limits: DecodeLimits;
}
type Skipper = (s: ScanState) => void;

/** Thrown inside the scan only; not an Error, so no stack trace is captured. */
class ScanFailure {
  constructor(readonly reason: GuardFailure['reason'], readonly message: string) {}
}

function readLong(s: ScanState): number {
  let n = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (s.pos >= s.buf.length) throw new ScanFailure('truncated', 'payload ends inside a number');
    const b = s.buf[s.pos++] as number;
    n += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
    scale *= 128;
  }
  throw new ScanFailure('corrupt', 'variable-length number longer than 10 bytes');
}

function need(s: ScanState, bytes: number, what: string): void {
  const remaining = s.buf.length - s.pos;
  if (bytes <= remaining) return;
  if (bytes > s.limits.maxRecordBytes) {
    throw new ScanFailure('too-large', `${what} declares ${bytes} bytes, over the ${s.limits.maxRecordBytes}-byte limit`);
  }
  throw new ScanFailure('truncated', `${what} declares ${bytes} bytes but only ${remaining} remain`);
}

function readLength(s: ScanState, what: string): number {
  const len = readLong(s);
  if (len < 0) throw new ScanFailure('corrupt', `${what} has a negative length (${len})`);
  need(s, len, what);
  return len;
}

type TypeView = avro.Type & {
  readonly fields?: readonly { readonly type: avro.Type }[];
  readonly itemsType?: avro.Type;
  readonly valuesType?: avro.Type;
  readonly types?: readonly avro.Type[];
  readonly symbols?: readonly string[];
  readonly size?: number;
  readonly underlyingType?: avro.Type;
};

class Compiler {
  hasCollections = false;
  recursive = false;
  private readonly compiled = new Map<avro.Type, Skipper>();
  private readonly inProgress = new Set<avro.Type>();
  private readonly sizes = new Map<avro.Type, number>();

  compile(type: avro.Type): Skipper {
    const known = this.compiled.get(type);
    if (known) {
      if (this.inProgress.has(type)) this.recursive = true;
      return known;
    }
    const t = type as TypeView;
    if (t.typeName.startsWith('logical:') && t.underlyingType) return this.compile(t.underlyingType);
    if (t.types) return this.union(t.types);
    switch (t.typeName) {
      case 'null': return () => {};
      case 'boolean': return (s) => { need(s, 1, 'boolean'); s.pos += 1; };
      case 'int': case 'long': return (s) => void readLong(s);
      case 'float': return (s) => { need(s, 4, 'float'); s.pos += 4; };
      case 'double': return (s) => { need(s, 8, 'double'); s.pos += 8; };
      case 'string': case 'bytes': {
        const what = t.typeName;
        return (s) => {
          const len = readLength(s, what); // before `s.pos +=`, which would read pos first
          s.pos += len;
        };
      }
      case 'fixed': {
        const size = t.size ?? 0;
        return (s) => { need(s, size, 'fixed'); s.pos += size; };
      }
      case 'enum': {
        const count = t.symbols?.length ?? 0;
        return (s) => {
          const index = readLong(s);
          if (index < 0 || index >= count) throw new ScanFailure('corrupt', `enum index ${index} out of range [0, ${count})`);
        };
      }
      case 'array': return this.collection(t.itemsType as avro.Type, false);
      case 'map': return this.collection(t.valuesType as avro.Type, true);
      case 'record': case 'error': return this.record(t);
      default: throw new Error(`payload guard: unsupported Avro type ${t.typeName}`);
    }
  }

  private union(types: readonly avro.Type[]): Skipper {
    const branches = types.map((b) => this.compile(b));
    return (s) => {
      const index = readLong(s);
      const branch = branches[index];
      if (branch === undefined) throw new ScanFailure('corrupt', `union index ${index} out of range [0, ${branches.length})`);
      branch(s);
    };
  }

  private record(t: TypeView): Skipper {
    let fields: Skipper[] = [];
    const skip: Skipper = (s) => {
      if (++s.depth > s.limits.maxDepth) {
        throw new ScanFailure('too-large', `records nest deeper than ${s.limits.maxDepth} levels`);
      }
      for (const field of fields) field(s);
      s.depth--;
    };
    // Registered before the fields compile, so a recursive reference finds it.
    this.compiled.set(t, skip);
    this.inProgress.add(t);
    fields = (t.fields ?? []).map((f) => this.compile(f.type));
    this.inProgress.delete(t);
    return skip;
  }

  private collection(itemType: avro.Type, isMap: boolean): Skipper {
    this.hasCollections = true;
    const item = this.compile(itemType);
    // A map entry always carries its key (at least 1 byte); zero-size items are free.
    const minItem = (isMap ? 1 : 0) + this.minSize(itemType);
    const what = isMap ? 'map' : 'array';
    return (s) => {
      for (;;) {
        const count = readLong(s);
        if (count === 0) return;
        const n = Math.abs(count);
        s.items += n;
        if (s.items > s.limits.maxItems) {
          throw new ScanFailure('too-large', `${what} declares ${n} items, over the ${s.limits.maxItems}-item limit`);
        }
        // A negative count is followed by the block's size in bytes.
        if (count < 0) readLength(s, `${what} block`);
        if (minItem === 0) continue;
        need(s, n * minItem, `${what} of ${n} items`);
        for (let i = 0; i < n; i++) {
          if (isMap) {
            const keyLength = readLength(s, 'map key');
            s.pos += keyLength;
          }
          item(s);
        }
      }
    };
  }

  /** Fewest bytes a value of this type can take (0 only for always-empty types). */
  private minSize(type: avro.Type): number {
    const known = this.sizes.get(type);
    if (known !== undefined) return known;
    const t = type as TypeView;
    if (t.typeName.startsWith('logical:') && t.underlyingType) return this.minSize(t.underlyingType);
    if (t.types) return 1;
    switch (t.typeName) {
      case 'null': return 0;
      case 'float': return 4;
      case 'double': return 8;
      case 'fixed': return t.size ?? 0;
      case 'record': case 'error': {
        // A record reached again while sizing itself counts as 1: recursion
        // always passes through a union or collection, which take a byte.
        this.sizes.set(type, 1);
        const size = (t.fields ?? []).reduce((sum, f) => sum + this.minSize(f.type), 0);
        this.sizes.set(type, size);
        return size;
      }
      default: return 1;
    }
  }
}
