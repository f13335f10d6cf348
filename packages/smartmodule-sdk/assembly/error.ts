// How an author's function reports an error. AssemblyScript has no exceptions, so the
// function calls `fail(hint)` and returns; the SDK turns the recorded hint into the
// module's error for the current record (with its offset), as Fluvio's `Err(..)` does.

let pendingHint: string | null = null;

/**
 * Marks the current record (or `init`) as failed with `hint`. Processing stops after the
 * function returns; records before this one are still delivered. The return value of the
 * function that called `fail` is ignored. Calling `fail` again keeps the first hint.
 */
export function fail(hint: string): void {
  if (changetype<usize>(pendingHint) == 0) pendingHint = hint;
}

/** True when `fail` was called since the last record began. */
export function failed(): bool {
  return changetype<usize>(pendingHint) != 0;
}

/** The hint passed to `fail`, if any (SDK internal). */
export function takeFailure(): string | null {
  // By address: `=== null` on a string calls String.__eq, and this runs once per record.
  const hint = pendingHint;
  if (changetype<usize>(hint) != 0) pendingHint = null;
  return hint;
}

/** Forgets any recorded failure (SDK internal). */
export function clearFailure(): void {
  pendingHint = null;
}
