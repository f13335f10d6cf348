import { struct, array, bool, i16, i32, i64, option, string, stringMap } from '../codec/schema.ts';
import type { Infer, Schema } from '../codec/schema.ts';

/** UTF-8 text with a u32 length: graph definitions can be longer than a u16 string allows. */
const text: Schema<string> = {
  write: (w, v) => void w.bytes(Buffer.from(v, 'utf8')),
  read: (r) => r.bytes().toString('utf8'),
};

/**
 * A dataflow graph as applied: the YAML definition and how it is bound to the cluster.
 * params are `OPERATION.KEY` overrides of the operations' module configurations; state seeds the
 * graph's state store; allowedLatenessMs is how far behind the frontier a message may arrive
 * before it is late (late messages go to lateTopic when set, else they are counted and dropped).
 */
export const GraphSpec = struct({
  name: string,
  definition: text,
  sources: array(string),
  sink: string,
  params: stringMap,
  state: stringMap,
  allowedLatenessMs: i64,
  lateTopic: option(string),
  createdMs: i64,
});
export type GraphSpec = Infer<typeof GraphSpec>;

/** One operation of a running graph; module is `name:version` (none for source/sink/built-ins). */
export const GraphOperatorStatus = struct({
  name: string,
  type: string,
  module: option(string),
  recordsIn: i64,
  recordsOut: i64,
});
export type GraphOperatorStatus = Infer<typeof GraphOperatorStatus>;

/** Where an instance has read up to in one source partition (the next offset to read). */
export const GraphPosition = struct({ topic: string, partition: i32, offset: i64 });
export type GraphPosition = Infer<typeof GraphPosition>;

/** One instance of the graph (one per source partition). Times are ms; null = not yet known. */
export const GraphInstanceStatus = struct({
  partition: i32,
  /** 'starting' | 'running' | 'failed' | 'stopped' */
  state: string,
  error: option(string),
  positions: array(GraphPosition),
  frontierMs: option(i64),
  frontierLagMs: option(i64),
  lateMessages: i64,
  checkpointMs: option(i64),
});
export type GraphInstanceStatus = Infer<typeof GraphInstanceStatus>;

export const GraphStatus = struct({
  /** 'starting' | 'running' | 'failed' | 'stopped' */
  state: string,
  error: option(string),
  operators: array(GraphOperatorStatus),
  instances: array(GraphInstanceStatus),
});
export type GraphStatus = Infer<typeof GraphStatus>;

export const Graph = struct({ name: string, spec: GraphSpec, status: GraphStatus });
export type Graph = Infer<typeof Graph>;

/**
 * Creates or replaces the graph `spec.name`; the broker sets createdMs. A definition that fails
 * validation is refused with GraphInvalid and one line per problem in the message, each naming
 * `file` (the definition's file name as the user knows it; '' = `<name>.yaml`) and the YAML path.
 * dryRun only validates.
 */
export const ApplyGraphRequest = struct({ spec: GraphSpec, file: string, dryRun: bool });
export type ApplyGraphRequest = Infer<typeof ApplyGraphRequest>;

export const ApplyGraphResponse = struct({
  errorCode: i16,
  errorMessage: option(string),
  /** false when an existing graph was replaced. */
  created: bool,
  /** Operations in the validated definition. */
  operations: i32,
});
export type ApplyGraphResponse = Infer<typeof ApplyGraphResponse>;

/** An empty list asks for every graph. */
export const ListGraphsRequest = struct({ names: array(string) });
export type ListGraphsRequest = Infer<typeof ListGraphsRequest>;

export const ListGraphsResponse = struct({
  errorCode: i16,
  errorMessage: option(string),
  graphs: array(Graph),
});
export type ListGraphsResponse = Infer<typeof ListGraphsResponse>;

export const DescribeGraphRequest = struct({ name: string });
export type DescribeGraphRequest = Infer<typeof DescribeGraphRequest>;

export const DescribeGraphResponse = struct({
  errorCode: i16,
  errorMessage: option(string),
  graph: option(Graph),
});
export type DescribeGraphResponse = Infer<typeof DescribeGraphResponse>;

export const DeleteGraphRequest = struct({ name: string });
export type DeleteGraphRequest = Infer<typeof DeleteGraphRequest>;
