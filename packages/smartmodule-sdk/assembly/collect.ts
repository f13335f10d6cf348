// Garbage collection for modules built with AssemblyScript's minimal runtime (the SDK's build
// flags). That runtime keeps no shadow stack, which makes every call cheaper (the filter example
// runs ~15% faster than on the incremental runtime), but it only collects when told to, and
// only safely when no managed value lives outside globals. Right after the host has copied a
// call's output (copy_records, host_output) is such a point: the call then only returns.

/** ASC_RUNTIME of `--runtime minimal` (AssemblyScript's Runtime.Minimal is not visible to modules). */
const MINIMAL_RUNTIME = 1;

/** Collects garbage when built for the minimal runtime; nothing for the others (they collect themselves). */
// @ts-ignore: decorator
@inline
export function collectAfterOutput(): void {
  if (ASC_RUNTIME == MINIMAL_RUNTIME) __collect();
}
