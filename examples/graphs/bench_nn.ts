// wasi-nn's cost against ONNX Runtime called directly from Node, in one run on the same frames:
// the snapshot example's map operator (frame → tensor in wasm, wasi-nn set_input / compute /
// get_output, argmax, the result message) against Node converting the same frames and calling
// onnxruntime-node's InferenceSession.run on the same model. Prints µs per frame and the ratio
// (the target: wasi-nn ≤ 1.2× direct).
// Run: npx node examples/graphs/bench_nn.ts [frames=512] [rounds=5]
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';
import { KIND_SNAPSHOT, MessageBatch } from '@eddy/dataflow';
import { openOperator } from './harness.ts';
import { colourFrame, FRAME_SIDE } from './frames.ts';
import { INPUT_NAME, LABELS, MODEL_FILE, OUTPUT_NAME } from './models/make_classifier.ts';

export interface NnBenchResult {
  frames: number;
  wasiNnUsPerFrame: number;
  directUsPerFrame: number;
  ratio: number;
}

export async function benchNn(frameCount = 512, rounds = 5, batchSize = 64): Promise<NnBenchResult> {
  const frames = Array.from({ length: frameCount }, (_, i) => colourFrame((i * 37) % 256, (i * 91) % 256, (i * 53) % 256));
  const batches: MessageBatch[] = [];
  for (let i = 0; i < frames.length; i += batchSize) {
    batches.push(MessageBatch.of(frames.slice(i, i + batchSize).map((payload, k) => ({
      timestamp: { physical: BigInt(i + k), counter: 0, node: 0 }, kind: KIND_SNAPSHOT, contentType: 'rgb24', width: FRAME_SIDE, height: FRAME_SIDE, payload,
    }))));
  }
  const { op } = await openOperator('snapshot', 'map', { features: ['wasi-nn'] });
  const session = await ort.InferenceSession.create(readFileSync(MODEL_FILE));
  const pixels = FRAME_SIDE * FRAME_SIDE;
  const input = new Float32Array(3 * pixels);
  const tensor = new ort.Tensor('float32', input, [1, 3, FRAME_SIDE, FRAME_SIDE]);
  const wasiLabels: string[] = [];
  const directLabels: string[] = [];

  const viaWasiNn = () => {
    wasiLabels.length = 0;
    for (const b of batches) {
      const out = op.map(b);
      for (let i = 0; i < out.count; i++) wasiLabels.push((JSON.parse(out.decode(i).payload.toString()) as { object: { result: string } }).object.result);
    }
  };
  const direct = async () => {
    directLabels.length = 0;
    const scale = 1 / 255;
    for (const f of frames) {
      for (let i = 0; i < pixels; i++) {
        input[i] = f[3 * i] * scale;
        input[pixels + i] = f[3 * i + 1] * scale;
        input[2 * pixels + i] = f[3 * i + 2] * scale;
      }
      const scores = (await session.run({ [INPUT_NAME]: tensor }))[OUTPUT_NAME].data as Float32Array;
      let best = 0;
      for (let k = 1; k < scores.length; k++) if (scores[k] > scores[best]) best = k;
      directLabels.push(LABELS[best]);
    }
  };
  // warm both, then alternate rounds so neither gets the quieter machine; best round each
  viaWasiNn();
  await direct();
  let wasi = Infinity;
  let dir = Infinity;
  for (let r = 0; r < rounds; r++) {
    let t = performance.now();
    viaWasiNn();
    wasi = Math.min(wasi, performance.now() - t);
    t = performance.now();
    await direct();
    dir = Math.min(dir, performance.now() - t);
  }
  if (wasiLabels.join() !== directLabels.join()) throw new Error('wasi-nn and direct ONNX Runtime disagree on the labels');
  const wasiNnUsPerFrame = (wasi * 1000) / frameCount;
  const directUsPerFrame = (dir * 1000) / frameCount;
  return { frames: frameCount, wasiNnUsPerFrame, directUsPerFrame, ratio: wasiNnUsPerFrame / directUsPerFrame };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = await benchNn(Number(process.argv[2] ?? 512), Number(process.argv[3] ?? 5));
  console.log(`graph-nn: ${r.frames} frames 224×224 rgb24: wasi-nn ${r.wasiNnUsPerFrame.toFixed(1)} µs/frame, ONNX Runtime direct ${r.directUsPerFrame.toFixed(1)} µs/frame, ratio ${r.ratio.toFixed(2)} (target ≤ 1.2)`);
}
