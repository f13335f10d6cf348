// snapshot 1.0.0: Azure IoT Operations' snapshot sample operators.
//   branch     True for a snapshot, and for a message on the topic named by `snapshot_topic` (no
//              such parameter: never); False for other messages; raw bytes fail the call.
//   map        classifies a snapshot (an rgb24 frame) with the model in model.ts through wasi-nn
//              (the graph needs `features: [{name: wasi-nn}]`): the frame, scaled to 0..1 and
//              made planar, is the [1, 3, height, width] input; the label of the highest score is
//              the result. Out: the snapshot with its frame replaced by {"object":{"result":…}}.
//              Azure's runs MobileNet on 224×224 frames; ours a small colour classifier of the
//              same input shape (models/make_classifier.ts). Anything but a snapshot fails with
//              Azure's "Unexpected input type.", a failed inference with "Error executing graph
//              inference: …".
//   accumulate the distinct detected objects of the window's classified snapshots, in arrival
//              order, joined by "; ": a message {"object":{"result":"red; blue"}}. Anything but a
//              snapshot holding an object result fails the call.
import { Hlc, JsonValue, Message, ModuleConfiguration, NnContext, NnGraph, TENSOR_F32, fail, logger, metrics, nnError, nnErrorName } from "@eddy/smartmodule-sdk/graph";
import { MEASUREMENT_OBJECT, measurementJson, readMeasurement } from "../../../shared/assembly/measurement";
import { MODEL, MODEL_INPUT_CHANNELS, MODEL_LABELS } from "./model";

let snapshotTopic: string | null = null;

@operator_init
function init(config: ModuleConfiguration): bool {
  snapshotTopic = config.get("snapshot_topic");
  return true;
}

@branch_operator
function checkSnapshot(input: Message, timestamp: Hlc): bool {
  metrics.addToCounter("requests", 1);
  if (input.isRaw) {
    fail("Unexpected input type.");
    return false;
  }
  if (input.isSnapshot) return true;
  const topic = snapshotTopic;
  return topic !== null && input.topicEquals(topic);
}

// The model is loaded once per operator instance, on the first frame (as Azure's LazyLock).
let context: NnContext | null = null;
// The input tensor and the scores, reused from frame to frame.
let tensor: StaticArray<f32> = new StaticArray<f32>(0);
const scores = new StaticArray<f32>(MODEL_LABELS.length);
const dims = new StaticArray<u32>(4);

function executionContext(): NnContext | null {
  if (context !== null) return context;
  const graph = NnGraph.load(changetype<usize>(MODEL), <usize>MODEL.length);
  if (graph === null) return null;
  context = graph.initExecutionContext();
  return context;
}

@map_operator
function objectDetection(input: Message): Message {
  metrics.addToCounter("requests", 1);
  if (!input.isSnapshot) {
    fail("Unexpected input type.");
    return input;
  }
  const ctx = executionContext();
  if (ctx === null) return inferenceFailed(input);
  const width = input.width;
  const height = input.height;
  const pixels = <i32>(width * height);
  if (<i64>input.frameLength != <i64>pixels * MODEL_INPUT_CHANNELS) {
    fail("Unexpected image format or size.");
    return input;
  }
  if (tensor.length != pixels * MODEL_INPUT_CHANNELS) tensor = new StaticArray<f32>(pixels * MODEL_INPUT_CHANNELS);
  // rgb24 (interleaved bytes) → planar floats in 0..1, as the model takes them
  const frame = input.framePtr;
  const t = changetype<usize>(tensor);
  const plane = <usize>pixels << 2;
  const scale: f32 = 1.0 / 255.0;
  for (let i = 0; i < pixels; i++) {
    const p = frame + <usize>(i * 3);
    const q = t + (<usize>i << 2);
    store<f32>(q, <f32>load<u8>(p) * scale);
    store<f32>(q + plane, <f32>load<u8>(p, 1) * scale);
    store<f32>(q + (plane << 1), <f32>load<u8>(p, 2) * scale);
  }
  dims[0] = 1;
  dims[1] = <u32>MODEL_INPUT_CHANNELS;
  dims[2] = height;
  dims[3] = width;
  if (!ctx.setInput(0, dims, TENSOR_F32, t, <usize>tensor.length << 2)) return inferenceFailed(input);
  if (!ctx.compute()) return inferenceFailed(input);
  if (ctx.getOutput(0, changetype<usize>(scores), <u32>scores.length << 2) != scores.length << 2) return inferenceFailed(input);
  let best = 0;
  for (let k = 1; k < scores.length; k++) if (scores[k] > scores[best]) best = k;
  const label = MODEL_LABELS[best];
  logger.info("Object detection result: " + label + " - Score: " + scores[best].toString());
  const result = measurementJson("object", JsonValue.object().setString("result", label));
  return input.toBuilder().setPayloadJson(result).build();
}

function inferenceFailed(input: Message): Message {
  const why = "Error executing graph inference: " + nnErrorName(nnError);
  logger.error(why);
  fail(why);
  return input;
}

@accumulate_operator
function accumulateDetectedObjects(staged: Message, inputs: Message[]): Message {
  metrics.addToCounter("requests", 1);
  const objects = new Array<string>();
  if (staged.payloadLength > 0) {
    const s = readMeasurement(staged.payloadJson());
    if (s !== null && s.kind == MEASUREMENT_OBJECT) objects.push(s.result);
  }
  for (let i = 0; i < inputs.length; i++) {
    const input = inputs[i];
    const m = input.isSnapshot ? readMeasurement(input.frameJson()) : null;
    if (m === null || m.kind != MEASUREMENT_OBJECT) {
      fail("Unexpected input type.");
      return staged;
    }
    if (!objects.includes(m.result)) objects.push(m.result);
  }
  const out = measurementJson("object", JsonValue.object().setString("result", objects.join("; ")));
  logger.info(out.stringify());
  return Message.builder().setPayloadJson(out).build();
}
