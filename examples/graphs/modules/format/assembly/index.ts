// format 1.0.0: Azure IoT Operations' format sample: makes the 224×224 rgb24 snapshot (image
// frame) its classifier expects.
//   map  a snapshot already rgb24 224×224 passes unchanged. A message's payload, or another
//        snapshot's frame, of exactly 224·224·3 bytes becomes an rgb24 224×224 snapshot (same
//        timestamp; Azure's snapshot has no topic, so the topic is dropped). Azure's also decodes
//        and rescales encoded images (PNG, JPEG, …); this module has no image decoder, so any
//        other payload fails the call with Azure's "Unexpected image format or size.". Raw bytes
//        fail with "Unexpected input type.".
import { Message, fail, logger, metrics } from "@eddy/smartmodule-sdk/graph";

const WIDTH: u32 = 224;
const HEIGHT: u32 = 224;
const FORMAT = "rgb24";
const CELL_LENGTH: u32 = 3; // rgb24: 3 bytes a pixel
const FRAME_BYTES = <i32>(WIDTH * HEIGHT * CELL_LENGTH);

@map_operator
function decodeAndRescale(input: Message): Message {
  metrics.addToCounter("requests", 1);
  if (input.isRaw) {
    fail("Unexpected input type.");
    return input;
  }
  if (input.isSnapshot && input.formatEquals(FORMAT) && input.width == WIDTH && input.height == HEIGHT) return input;
  const length = input.frameLength; // a message's payload, a snapshot's frame
  if (length != FRAME_BYTES) {
    logger.info("Unexpected image format or size: expected " + FRAME_BYTES.toString() + " bytes, got " + length.toString() + " bytes");
    fail("Unexpected image format or size.");
    return input;
  }
  return input.toBuilder().snapshot(FORMAT, WIDTH, HEIGHT).setTopic("").build();
}
