// Writes classifier.onnx, the small model the snapshot example classifies frames with: input
// "data" float32 [1,3,224,224] (planar RGB scaled to 0..1, the frames Azure's format operator
// makes) → GlobalAveragePool → Flatten → Gemm with fixed weights → "scores" float32 [1,3], one
// score per class of labels.txt (red, green, blue); the class is the argmax. A colour's score is
// its channel mean minus half of each other channel's, so a frame's dominant colour wins.
//
// Also writes ../modules/snapshot/assembly/model.ts: the model's bytes and labels as
// AssemblyScript constants, so the snapshot module carries its model as Azure's includes its own.
//
// The ONNX protobuf is written by hand from onnx.proto (field numbers below): the model is four
// nodes, not worth a protobuf dependency. Run: npx node examples/graphs/models/make_classifier.ts
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const MODEL_DIR = path.dirname(fileURLToPath(import.meta.url));
export const MODEL_FILE = path.join(MODEL_DIR, 'classifier.onnx');
const MODULE_MODEL_FILE = path.join(MODEL_DIR, '..', 'modules', 'snapshot', 'assembly', 'model.ts');
export const LABELS = ['red', 'green', 'blue'] as const;
export const INPUT_NAME = 'data';
export const OUTPUT_NAME = 'scores';
export const INPUT_SHAPE = [1, 3, 224, 224] as const;

// Protobuf wire format: a key is (field << 3 | wire type); 0 varint, 2 length-delimited, 5 fixed32.
function varint(n: number | bigint): number[] {
  let v = BigInt(n);
  if (v < 0n) v += 1n << 64n; // int64 negatives: two's complement, 10 bytes
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) b |= 0x80;
    out.push(b);
  } while (v !== 0n);
  return out;
}
const int = (field: number, n: number): number[] => [...varint((field << 3) | 0), ...varint(n)];
const bytes = (field: number, b: readonly number[] | Uint8Array): number[] => [...varint((field << 3) | 2), ...varint(b.length), ...b];
const str = (field: number, s: string): number[] => bytes(field, Buffer.from(s, 'utf8'));

const FLOAT = 1; // TensorProto.DataType.FLOAT

// TypeProto { tensor_type(1): { elem_type(1), shape(2): { dim(1): { dim_value(1) } } } }
function valueInfo(name: string, dims: readonly number[]): number[] {
  const shape = dims.flatMap((d) => bytes(1, int(1, d)));
  const tensorType = [...int(1, FLOAT), ...bytes(2, shape)];
  return [...str(1, name), ...bytes(2, bytes(1, tensorType))];
}

// TensorProto { dims(1), data_type(2), name(8), raw_data(9) }
function initializer(name: string, dims: readonly number[], values: readonly number[]): number[] {
  const raw = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => raw.writeFloatLE(v, i * 4));
  return [...dims.flatMap((d) => int(1, d)), ...int(2, FLOAT), ...str(8, name), ...bytes(9, raw)];
}

// NodeProto { input(1), output(2), name(3), op_type(4), attribute(5) }
function node(op: string, inputs: readonly string[], outputs: readonly string[], attributes: number[][] = []): number[] {
  return [...inputs.flatMap((s) => str(1, s)), ...outputs.flatMap((s) => str(2, s)), ...str(3, op.toLowerCase()), ...str(4, op), ...attributes.flatMap((a) => bytes(5, a))];
}

// AttributeProto { name(1), i(3), type(20): INT = 2 }
const intAttribute = (name: string, value: number): number[] => [...str(1, name), ...int(3, value), ...int(20, 2)];

/** The model's bytes. */
export function classifierModel(): Uint8Array {
  const n = LABELS.length;
  // weights[k][c]: 1 on the class's own channel, -0.5 on the others (Gemm with transB: [n, 3]).
  const weights: number[] = [];
  for (let k = 0; k < n; k++) for (let c = 0; c < 3; c++) weights.push(k === c ? 1 : -0.5);
  const graph = [
    ...bytes(1, node('GlobalAveragePool', [INPUT_NAME], ['pooled'])),
    ...bytes(1, node('Flatten', ['pooled'], ['means'], [intAttribute('axis', 1)])),
    ...bytes(1, node('Gemm', ['means', 'weights', 'bias'], [OUTPUT_NAME], [intAttribute('transB', 1)])),
    ...str(2, 'eddy-colour-classifier'),
    ...bytes(5, initializer('weights', [n, 3], weights)),
    ...bytes(5, initializer('bias', [n], new Array<number>(n).fill(0))),
    ...bytes(11, valueInfo(INPUT_NAME, INPUT_SHAPE)),
    ...bytes(12, valueInfo(OUTPUT_NAME, [1, n])),
  ];
  // ModelProto { ir_version(1), producer_name(2), graph(7), opset_import(8): { domain(1), version(2) } }
  const model = [...int(1, 8), ...str(2, 'eddy examples/graphs/models/make_classifier.ts'), ...bytes(7, graph), ...bytes(8, int(2, 13))];
  return Uint8Array.from(model);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const model = classifierModel();
  writeFileSync(MODEL_FILE, model);
  writeFileSync(path.join(MODEL_DIR, 'labels.txt'), LABELS.join('\n') + '\n');
  const rows: string[] = [];
  for (let i = 0; i < model.length; i += 24) rows.push('  ' + [...model.subarray(i, i + 24)].join(', ') + ',');
  writeFileSync(
    MODULE_MODEL_FILE,
    `// Generated by examples/graphs/models/make_classifier.ts from classifier.onnx: do not edit.\n` +
      `export const MODEL_INPUT_CHANNELS: i32 = ${INPUT_SHAPE[1]};\n` +
      `export const MODEL_INPUT_HEIGHT: i32 = ${INPUT_SHAPE[2]};\n` +
      `export const MODEL_INPUT_WIDTH: i32 = ${INPUT_SHAPE[3]};\n` +
      `export const MODEL_LABELS: string[] = [${LABELS.map((l) => JSON.stringify(l)).join(', ')}];\n` +
      `export const MODEL: StaticArray<u8> = [\n${rows.join('\n')}\n];\n`,
  );
  console.log(`${path.relative(process.cwd(), MODEL_FILE)}  ${model.length} bytes`);
}
