import { test } from 'node:test';
import assert from 'node:assert/strict';
import { capMemory, isWasm, WasmBinaryError } from './wasm_binary.ts';
import { wat2wasm } from '../test/wat_modules.ts';

async function memoryOf(bytes: Uint8Array): Promise<WebAssembly.Memory> {
  const { instance } = await WebAssembly.instantiate(bytes as Uint8Array<ArrayBuffer>);
  return instance.exports.memory as WebAssembly.Memory;
}

test('adds a maximum to a memory that has none, and V8 enforces it', async () => {
  const wasm = wat2wasm('(module (memory (export "memory") 1))');
  const { bytes, memories } = capMemory(wasm, 4);
  assert.deepEqual(memories, [{ minPages: 1, maxPages: null }]);
  const mem = await memoryOf(bytes);
  assert.equal(mem.grow(3), 1);
  assert.throws(() => mem.grow(1), RangeError);
});

test('lowers a larger maximum and keeps a smaller one', async () => {
  const high = await memoryOf(capMemory(wat2wasm('(module (memory (export "memory") 1 100))'), 2).bytes);
  assert.equal(high.grow(1), 1);
  assert.throws(() => high.grow(1), RangeError);
  const low = await memoryOf(capMemory(wat2wasm('(module (memory (export "memory") 1 2))'), 50).bytes);
  assert.equal(low.grow(1), 1);
  assert.throws(() => low.grow(1), RangeError);
});

test('keeps the rest of the module intact (sections after memory still work)', async () => {
  const wasm = wat2wasm(`(module
    (memory (export "memory") 1)
    (data (i32.const 0) "hi")
    (func (export "f") (result i32) (i32.load8_u (i32.const 1))))`);
  const { instance } = await WebAssembly.instantiate(capMemory(wasm, 10).bytes as Uint8Array<ArrayBuffer>);
  assert.equal((instance.exports.f as () => number)(), 0x69);
});

test('refuses non-wasm and an initial memory above the cap', () => {
  assert.equal(isWasm(Uint8Array.from(Buffer.from('not wasm at all'))), false);
  assert.throws(() => capMemory(Uint8Array.from(Buffer.from('not wasm at all')), 4), WasmBinaryError);
  assert.throws(() => capMemory(wat2wasm('(module (memory 5))'), 4), /initial memory of 5 pages/);
});

test('a module without memory is returned unchanged', () => {
  const wasm = wat2wasm('(module (func))');
  assert.deepEqual(capMemory(wasm, 4).bytes, wasm);
});
