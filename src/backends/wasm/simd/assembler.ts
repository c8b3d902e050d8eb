/**
 * Just enough of a WebAssembly binary encoder to write a few SIMD loops by hand: one module
 * that imports a memory (`env.memory`) and exports functions taking i32 arguments.
 * There is no wasm toolchain in this project; the loops are short enough to spell out.
 */

/** Value types. */
export const I32 = 0x7f;
export const V128 = 0x7b;
type ValType = typeof I32 | typeof V128;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

function name(s: string): number[] {
  const bytes = [...new TextEncoder().encode(s)];
  return [...uleb(bytes.length), ...bytes];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

/**
 * A function body under construction. Each method appends one instruction; locals are numbered
 * after the parameters, in the order `local` hands them out.
 */
export class Code {
  readonly bytes: number[] = [];
  private readonly locals: ValType[] = [];

  constructor(private readonly params: number) {}

  /** A new local of type `t`; returns its index. */
  local(t: ValType): number {
    this.locals.push(t);
    return this.params + this.locals.length - 1;
  }

  get(i: number): this {
    return this.emit(0x20, ...uleb(i));
  }
  set(i: number): this {
    return this.emit(0x21, ...uleb(i));
  }
  tee(i: number): this {
    return this.emit(0x22, ...uleb(i));
  }
  i32(n: number): this {
    return this.emit(0x41, ...sleb(n | 0));
  }

  add(): this {
    return this.emit(0x6a);
  }
  sub(): this {
    return this.emit(0x6b);
  }
  mul(): this {
    return this.emit(0x6c);
  }
  ltU(): this {
    return this.emit(0x49);
  }
  eq(): this {
    return this.emit(0x46);
  }
  eqz(): this {
    return this.emit(0x45);
  }
  and(): this {
    return this.emit(0x71);
  }
  ne(): this {
    return this.emit(0x47);
  }

  /** `i32.load` at the address on the stack plus `offset`. */
  load32(offset = 0): this {
    return this.emit(0x28, 2, ...uleb(offset));
  }
  loadF32(offset = 0): this {
    return this.emit(0x2a, 2, ...uleb(offset));
  }
  storeF32(offset = 0): this {
    return this.emit(0x38, 2, ...uleb(offset));
  }
  addF32(): this {
    return this.emit(0x92);
  }

  /** `block … end`; `br_if 0` inside leaves it. */
  block(body: () => void): this {
    this.emit(0x02, 0x40);
    body();
    return this.emit(0x0b);
  }
  /** `loop … end`; `br_if 0` inside repeats it. */
  loop(body: () => void): this {
    this.emit(0x03, 0x40);
    body();
    return this.emit(0x0b);
  }
  /** `if … end` on the i32 on the stack. */
  if(body: () => void): this {
    this.emit(0x04, 0x40);
    body();
    return this.emit(0x0b);
  }
  brIf(depth: number): this {
    return this.emit(0x0d, ...uleb(depth));
  }

  /** A SIMD instruction: prefix 0xfd, opcode, then its immediates. */
  simd(op: number, ...imm: number[]): this {
    return this.emit(0xfd, ...uleb(op), ...imm);
  }
  v128Load(offset = 0): this {
    return this.simd(0x00, 4, ...uleb(offset));
  }
  v128Store(offset = 0): this {
    return this.simd(0x0b, 4, ...uleb(offset));
  }
  /** `v128.const` with four i32 lanes. */
  v128I32(a: number, b: number, c: number, d: number): this {
    const bytes = new Uint8Array(new Int32Array([a, b, c, d]).buffer);
    return this.simd(0x0c, ...bytes);
  }
  /** `v128.const` with four f32 lanes. */
  v128F32(a: number, b: number, c: number, d: number): this {
    const bytes = new Uint8Array(new Float32Array([a, b, c, d]).buffer);
    return this.simd(0x0c, ...bytes);
  }
  i32x4Splat(): this {
    return this.simd(0x11);
  }
  i32x4ExtractLane(lane: number): this {
    return this.simd(0x1b, lane);
  }
  f32x4ExtractLane(lane: number): this {
    return this.simd(0x1f, lane);
  }
  i32x4Eq(): this {
    return this.simd(0x37);
  }
  f32x4Gt(): this {
    return this.simd(0x44);
  }
  v128And(): this {
    return this.simd(0x4e);
  }
  bitselect(): this {
    return this.simd(0x52);
  }
  i32x4Add(): this {
    return this.simd(0xae);
  }
  f32x4Add(): this {
    return this.simd(0xe4);
  }
  f32x4Sub(): this {
    return this.simd(0xe5);
  }
  f32x4Mul(): this {
    return this.simd(0xe6);
  }
  f32x4Div(): this {
    return this.simd(0xe7);
  }
  f32x4Abs(): this {
    return this.simd(0xe0);
  }
  f32x4Lt(): this {
    return this.simd(0x43);
  }
  f32x4Ne(): this {
    return this.simd(0x42);
  }
  v128Or(): this {
    return this.simd(0x50);
  }
  /** Lanes shifted left by the i32 on the stack. */
  i32x4Shl(): this {
    return this.simd(0xab);
  }
  /** Float lanes to i32, truncating and saturating. */
  i32x4TruncSatF32x4S(): this {
    return this.simd(0xf8);
  }
  /** `v128.const` with one f32 in every lane. */
  f32x4Const(v: number): this {
    return this.v128F32(v, v, v, v);
  }

  /** The body's encoding: locals, instructions, `end`. */
  encode(): number[] {
    const groups = this.locals.map((t) => [1, t]);
    const body = [...vec(groups), ...this.bytes, 0x0b];
    return [...uleb(body.length), ...body];
  }

  private emit(...b: number[]): this {
    this.bytes.push(...b);
    return this;
  }
}

/** One exported function: its name, its i32 parameter count, and its body. */
export interface Func {
  name: string;
  params: number;
  code: Code;
}

/** A module importing `env.memory` and exporting `funcs` (all `(i32…) -> ()`). */
export function assemble(funcs: Func[]): Uint8Array<ArrayBuffer> {
  const types = funcs.map((f) => [0x60, ...vec(Array.from({ length: f.params }, () => [I32])), 0]);
  const section = (id: number, content: number[]) => [id, ...uleb(content.length), ...content];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, 0x01]])),
    ...section(3, vec(funcs.map((_, i) => uleb(i)))),
    ...section(7, vec(funcs.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]))),
    ...section(10, vec(funcs.map((f) => f.code.encode()))),
  ];
  return new Uint8Array(bytes);
}
