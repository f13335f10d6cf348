// snapshot 1.0.0: Azure IoT Operations' snapshot sample operators, as far as Eddy's data model
// goes. Azure's work on image frames (its Snapshot variant) and classify them with an ONNX model
// through wasi-nn; Eddy's graph ABI carries messages and raw bytes only, so:
//   branch     True for a message on the topic named by `snapshot_topic` (no such parameter: never),
//              False for other messages, as Azure's; raw bytes fail the call.
//   map        Azure's classifies a frame; a message is no frame, so it fails the call with Azure's
//              "Unexpected input type.".
//   accumulate the distinct detected objects of the window, in arrival order, joined by "; ":
//              {"object":{"result":"laptop; tripod"}}. Azure's reads them from classified frames;
//              here from messages {"object":{"result":…}}. Anything else fails the call.
import { Hlc, Message, ModuleConfiguration, fail, logger, metrics } from "@eddy/smartmodule-sdk/graph";
import { MEASUREMENT_OBJECT, measurementJson, readMeasurement } from "../../../shared/assembly/measurement";
import { JsonValue } from "@eddy/smartmodule-sdk/graph";

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
  const topic = snapshotTopic;
  return topic !== null && input.topicEquals(topic);
}

@map_operator
function objectDetection(input: Message): Message {
  metrics.addToCounter("requests", 1);
  fail("Unexpected input type.");
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
    const m = readMeasurement(inputs[i].payloadJson());
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
