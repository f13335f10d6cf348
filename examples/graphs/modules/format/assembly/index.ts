// format 1.0.0: Azure IoT Operations' format sample, as far as Eddy's data model goes. Azure's
// decodes an image (PNG, JPEG, …) and rescales it to the 224×224 rgb24 frame its classifier
// expects, or takes a payload of exactly 224·224·3 bytes as such a frame already. Eddy's graph
// ABI has no frame type and this module no image decoder, so:
//   map  a payload of exactly 150528 bytes (224·224·3) passes unchanged, content type
//        "image/rgb24;width=224;height=224"; any other payload fails the call with Azure's
//        "Unexpected image format or size.".
import { Message, fail, logger, metrics } from "@eddy/smartmodule-sdk/graph";

const WIDTH = 224;
const HEIGHT = 224;
const CELL_LENGTH = 3; // rgb24: 3 bytes a pixel
const FRAME_BYTES = WIDTH * HEIGHT * CELL_LENGTH;

@map_operator
function decodeAndRescale(input: Message): Message {
  metrics.addToCounter("requests", 1);
  if (input.payloadLength != FRAME_BYTES) {
    logger.info("Unexpected image format or size: expected " + FRAME_BYTES.toString() + " bytes, got " + input.payloadLength.toString() + " bytes");
    fail("Unexpected image format or size.");
    return input;
  }
  return input.toBuilder().setContentType("image/rgb24;width=224;height=224").build();
}
