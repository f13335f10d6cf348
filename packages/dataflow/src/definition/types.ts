// The shapes of a graph definition (Azure IoT Operations' YAML) and of the resolved plan the
// runtime executes. Everything here is plain data: the plan crosses into worker threads.

/** The operation types a graph may use, as `operationType` spells them. */
export const OPERATION_TYPES = ['source', 'sink', 'map', 'filter', 'branch', 'accumulate', 'concatenate', 'delay'] as const;
export type OperationType = (typeof OPERATION_TYPES)[number];

/** The operator types a WebAssembly module can provide (the ABI's `graph_<type>` exports). */
export const MODULE_OPERATOR_TYPES = ['map', 'filter', 'branch', 'accumulate', 'delay'] as const;
export type OperatorType = (typeof MODULE_OPERATOR_TYPES)[number];

export const BRANCH_ARMS = ['True', 'False'] as const;
export type BranchArm = (typeof BRANCH_ARMS)[number];

export interface GraphMetadata {
  $schema?: string;
  name: string;
  description?: string;
  version: string;
  vendor?: string;
}

export interface ModuleRequirements {
  apiVersion: string;
  /** Current Azure files; older ones name it `hostlibVersion` (one of the two is required). */
  runtimeVersion?: string;
  hostlibVersion?: string;
  features?: { name: string; value?: string | null }[] | null;
}

export interface ParameterDeclaration {
  /** The name the module reads the value under. */
  name: string;
  description?: string | null;
  default?: string;
  required?: boolean;
}

export interface ModuleConfiguration {
  /** The operation this configures. */
  name: string;
  parameters: Record<string, ParameterDeclaration>;
}

export interface OperationDefinition {
  operationType: OperationType;
  name: string;
  /** `name:version`; required for map/filter/branch/accumulate/delay, ignored for concatenate. */
  module?: string | null;
}

export interface ConnectionDefinition {
  from: { name: string; arm?: BranchArm | null; schemaName?: string | null };
  to: { name: string };
}

export interface SchemaDefinition {
  name: string;
  format: string;
  schema: string;
}

/** A graph definition as written (after YAML scalars were normalised to strings where Azure quotes them). */
export interface GraphDefinition {
  metadata: GraphMetadata;
  moduleRequirements: ModuleRequirements;
  moduleConfigurations?: ModuleConfiguration[];
  operations: OperationDefinition[];
  connections: ConnectionDefinition[];
  schemas?: SchemaDefinition[];
}

export interface SourcePosition {
  line: number;
  col: number;
}

/**
 * Where things are in the YAML text, keyed by YAML path (`operations[2].module`): `values` holds
 * the position of each node, `keys` the position of the key that names a map entry.
 */
export interface GraphLocations {
  values: Record<string, SourcePosition>;
  keys: Record<string, SourcePosition>;
}

/** A parsed definition together with where it came from, for errors that point into the file. */
export interface GraphDocument {
  file: string;
  definition: GraphDefinition;
  locations: GraphLocations;
}

/** One problem, printable as `<file>:<line>:<col>: <path>: <message>` (`text`). */
export interface GraphDefinitionError {
  severity: 'error' | 'warning';
  file: string;
  /** 1-based; 0 when there is no position (a `--param` override, a definition built in code). */
  line: number;
  col: number;
  /** YAML path (`connections[3].from.name`), or `--param OP.KEY` for overrides. */
  path: string;
  /** What is wrong. */
  message: string;
  /** The whole one-line diagnostic. */
  text: string;
}

/**
 * A module reference. Eddy's registry is flat: `name` is the reference's last path segment, what
 * the registry knows the module by, so Azure's `azure-samples/explore-iot-operations/window:1.0.0`
 * runs the registered `window:1.0.0`. `path` keeps what came before (repository, registry host).
 */
export interface ModuleRef {
  name: string;
  version: string;
  path?: string;
}

/**
 * Tells which operator types the module `ref` provides (see `providedOperators`), or undefined
 * when there is no such module.
 */
export type ModuleResolver = (ref: ModuleRef) => ReadonlySet<OperatorType> | undefined;

export interface PlanOutput {
  to: string;
  arm?: BranchArm;
}

export interface PlanOperation {
  name: string;
  type: OperationType;
  module?: ModuleRef;
  /** Parameter values by the name the module reads (defaults, then `--param` overrides). */
  params: Record<string, string>;
  /** Operations feeding this one, one entry per connection, in connection order. */
  inputs: string[];
  outputs: PlanOutput[];
}

/** A validated graph, ready to run: operations in topological order (source first, sink last). */
export interface GraphPlan {
  metadata: GraphMetadata;
  moduleRequirements: ModuleRequirements;
  source: string;
  sink: string;
  operations: PlanOperation[];
}

export interface ValidateOptions {
  /** `--param` overrides: `"OPERATION.KEY"` → value. KEY is the YAML key or the parameter's `name`. */
  params?: Record<string, string>;
  resolveModule?: ModuleResolver;
}

export type GraphResult =
  | { ok: true; plan: GraphPlan; warnings: GraphDefinitionError[] }
  | { ok: false; errors: GraphDefinitionError[]; warnings: GraphDefinitionError[] };

export type ParseResult =
  | { ok: true; document: GraphDocument; warnings: GraphDefinitionError[] }
  | { ok: false; errors: GraphDefinitionError[]; warnings: GraphDefinitionError[] };
