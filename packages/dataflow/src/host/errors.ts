/** Typed errors of graph operator modules; each message is one line naming the module or operation. */

/** A module that cannot be a graph operator (bad wasm, wrong imports or exports). */
export class GraphModuleError extends Error {
  override readonly name = 'GraphModuleError';
  readonly module: string;
  constructor(module: string, what: string) {
    super(`module ${module} ${what}`);
    this.module = module;
  }
}

export type OperatorFailure = 'refused' | 'failed' | 'trap' | 'abi' | 'timeout' | 'memory';

/** An operation that failed while running: its graph stops with this message as its status. */
export class GraphOperatorError extends Error {
  override readonly name = 'GraphOperatorError';
  readonly operation: string;
  readonly failure: OperatorFailure;
  constructor(operation: string, failure: OperatorFailure, what: string, options?: { cause?: unknown }) {
    super(`operation "${operation}" ${what}`, options);
    this.operation = operation;
    this.failure = failure;
  }
}
