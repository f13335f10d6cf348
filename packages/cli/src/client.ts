// The one place the CLI meets @eddy/client: commands import from here, so an API change in the
// client is absorbed in this file.
export { Eddy, Offset, addProfile, listProfiles, switchProfile, deleteProfile, currentProfile } from '@eddy/client';
