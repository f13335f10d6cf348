// SmartModules inside the SPU: the engine the broker owns and the fetch/produce hooks.
export { SmartModuleService, DEFAULT_SMARTMODULE_MEMORY_BYTES, DEFAULT_SMARTMODULE_TIME_BUDGET_MS } from './smartmodule_service.ts';
export type { SmartModuleServiceOptions } from './smartmodule_service.ts';
export { SmartModuleFailure } from '@eddy/smartengine';
