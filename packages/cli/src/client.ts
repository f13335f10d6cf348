// The one place the CLI meets @eddy/client: commands import from here, so an API change in the
// client is absorbed in this file.
export {
  Eddy, Offset, Producer, Consumer, RecordStream,
  addProfile, listProfiles, switchProfile, deleteProfile, currentProfile, resolveEndpoint,
  parseTransforms, parseTransformLine, SmartModuleSpecError,
} from '@eddy/client';
export type { ConsumerRecord, ProducerOptions, SendOptions, StreamOptions, Profile, ProfileListing, SmartModuleSpec } from '@eddy/client';
