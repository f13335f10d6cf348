// @eddy/dataflow graph definitions: Azure IoT Operations-shaped YAML → checked → a plan the
// runtime executes, and drawings of that plan.
//
//   loadGraph(text, { file?, params?, resolveModule? })   parse + shape + graph rules in one pass
//     → { ok: true, plan, warnings } | { ok: false, errors, warnings }
//   loadGraphOrThrow(text, opts)                          the same, throwing InvalidGraphError
//   parseGraphDefinition(text, { file? })                 YAML + JSON Schema only → GraphDocument
//   validateGraph(documentOrDefinition, { params?, resolveModule? })   graph rules → plan
//   renderGraph(plan, 'dot' | 'mermaid' | 'text', { annotations? })
//   providedOperators(exportNames)                        graph_map, … exports → operator types
//
// Every diagnostic's `text` is one line: `<file>:<line>:<col>: <yaml.path>: <what is wrong>`.
// `params` keys are "OPERATION.KEY" (KEY: the YAML key or the parameter's `name`); plan params
// are keyed by the parameter's `name`, the name the module reads in graph_init.
export { loadGraph, loadGraphOrThrow, parseGraphDefinition, validateGraph } from './load.ts';
export type { LoadOptions, ParseOptions } from './load.ts';
export { InvalidGraphError, formatDiagnostic } from './diagnostics.ts';
export { GRAPH_DEFINITION_SCHEMA } from './schema.ts';
export { formatModuleRef, parseModuleRef, providedOperators, registryModuleRef, registryModuleRefOf } from './module_ref.ts';
export { renderDot, renderGraph, renderMermaid, renderText } from './render.ts';
export type { OperationAnnotation, RenderFormat, RenderOptions } from './render.ts';
export { BRANCH_ARMS, MODULE_OPERATOR_TYPES, OPERATION_TYPES } from './types.ts';
export type {
  BranchArm,
  ConnectionDefinition,
  GraphDefinition,
  GraphDefinitionError,
  GraphDocument,
  GraphLocations,
  GraphMetadata,
  GraphPlan,
  GraphResult,
  ModuleConfiguration,
  ModuleRef,
  ModuleRequirements,
  ModuleResolver,
  OperationDefinition,
  OperationType,
  OperatorType,
  ParameterDeclaration,
  ParseResult,
  PlanOperation,
  PlanOutput,
  SourcePosition,
  ValidateOptions,
} from './types.ts';
