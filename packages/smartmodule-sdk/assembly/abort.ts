// The module's `abort` (what `throw`, failed assertions and out-of-range array accesses
// call). It replaces AssemblyScript's default `env.abort` import, which Fluvio's host does
// not provide, so a module imports nothing but `copy_records`. Execution cannot continue
// after an abort, so this writes the usual output with an error naming the record being
// processed (records before it included), hands it over, and then traps.
//
// The compiler compiles abort before other files' globals, so this file reaches the
// transforms only through a function reference they register at start-up.

export const ACTIVE_NONE: i32 = -1;
export const ACTIVE_INIT: i32 = 100;
export const ACTIVE_LOOK_BACK: i32 = 101;

/** What is running: a transform kind, ACTIVE_INIT, ACTIVE_LOOK_BACK or ACTIVE_NONE. */
let activeKind: i32 = -1;
let aborting = false;
let reporter: ((kind: i32, hint: string) => void) | null = null;

/** SDK internal: who writes the output when an abort happens during a call. */
export function setAbortReporter(fn: (kind: i32, hint: string) => void): void {
  reporter = fn;
}

export function setActive(kind: i32): void {
  activeKind = kind;
}

export function smartModuleAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  const report = reporter;
  if (!aborting && activeKind != -1 && report !== null) {
    aborting = true; // an abort while reporting one just traps
    let hint = "aborted: " + (message === null ? "(no message)" : message);
    if (fileName !== null) hint += " (" + fileName + ":" + line.toString() + ":" + column.toString() + ")";
    report(activeKind, hint);
  }
  unreachable();
}
