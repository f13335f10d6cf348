// @eddy/smdk/internal: smdk's helpers beyond the public face (mod.ts): the TOML codec of
// SmartModule.toml and where the SmartModule SDK is installed.
export { parseToml, stringifyToml, tomlString, TomlError, type TomlTable, type TomlValue } from './toml.ts';
export { SDK_PACKAGE, locateSdk, requireSdk, type SdkLocation } from './sdk.ts';
