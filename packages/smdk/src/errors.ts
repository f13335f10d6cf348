// smdk's user-facing errors: every failure reaches the terminal as one line and a non-zero exit.

/** A problem the user can fix (bad input, missing project, failed compile); printed as is. */
export class SmdkError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'SmdkError';
    this.exitCode = exitCode;
  }
}

/** The AssemblyScript compiler rejected the project; `diagnostics` is asc's own report. */
export class CompileError extends SmdkError {
  readonly diagnostics: string;
  constructor(message: string, diagnostics: string) {
    super(message);
    this.name = 'CompileError';
    this.diagnostics = diagnostics;
  }
}

/** The errno code of a system error (ENOENT, ECONNREFUSED...), looking through causes. */
export function systemErrorCode(err: unknown, depth = 0): string | undefined {
  if (depth > 5 || err === null || typeof err !== 'object') return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
  if (err instanceof AggregateError) {
    for (const e of err.errors) {
      const c = systemErrorCode(e, depth + 1);
      if (c) return c;
    }
  }
  return systemErrorCode((err as { cause?: unknown }).cause, depth + 1);
}

/** `error: <message>` on one line; nested newlines become '; '. */
export function errorLine(err: unknown): string {
  const message = err instanceof Error ? err.message || err.name : String(err);
  return `error: ${message.trim().replace(/\s*\n\s*/g, '; ')}`;
}

/** Describes why a file could not be read, without Node's "ENOENT: ..." prefix noise. */
export function fileProblem(err: unknown): string {
  const code = systemErrorCode(err);
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return err instanceof Error ? err.message : String(err);
}
