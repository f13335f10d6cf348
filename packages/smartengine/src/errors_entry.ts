// @eddy/smartengine/errors: the engine's error types, their one wording and their wire mapping,
// without the engine. Clients load the engine only when a local chain is asked for, yet report
// any SmartModule failure (theirs or the broker's) in the same words.
export {
  SmartModuleError,
  SmartModuleLoadError,
  SmartModuleInitError,
  SmartModuleRuntimeError,
  SmartModuleLookBackError,
  SmartModuleTimeoutError,
  SmartModuleMemoryError,
  SmartModuleTrapError,
  SmartModuleAbiError,
  SmartModuleClosedError,
  smartModuleMessage,
  type RecordFailure,
  type SmartModuleErrorCode,
} from './errors.ts';
export { SmartModuleFailure, errorInfo, toWireError } from './wire_error.ts';
