// The graph operator ABI's host imports (module `eddy_graph`, ABI.md "Host imports"). Only the
// ones a module calls end up in its import section.

// @ts-ignore: decorator
@external("eddy_graph", "output")
export declare function host_output(ptr: i32, len: i32): void;

// @ts-ignore: decorator
@external("eddy_graph", "error")
export declare function host_error(ptr: i32, len: i32): void;

// @ts-ignore: decorator
@external("eddy_graph", "log")
export declare function host_log(level: i32, ptr: i32, len: i32): void;

// @ts-ignore: decorator
@external("eddy_graph", "hlc_now")
export declare function host_hlc_now(ptr: i32): void;

// @ts-ignore: decorator
@external("eddy_graph", "state_get")
export declare function host_state_get(keyPtr: i32, keyLen: i32, outPtr: i32, outCap: i32): i32;

// @ts-ignore: decorator
@external("eddy_graph", "state_set")
export declare function host_state_set(keyPtr: i32, keyLen: i32, valPtr: i32, valLen: i32, condition: i32, expiryMs: i64, fencePtr: i32): i32;

// @ts-ignore: decorator
@external("eddy_graph", "state_del")
export declare function host_state_del(keyPtr: i32, keyLen: i32, fencePtr: i32): i32;

// @ts-ignore: decorator
@external("eddy_graph", "state_del_if_equal")
export declare function host_state_del_if_equal(keyPtr: i32, keyLen: i32, valPtr: i32, valLen: i32, fencePtr: i32): i32;

// @ts-ignore: decorator
@external("eddy_graph", "metric_counter")
export declare function host_metric_counter(namePtr: i32, nameLen: i32, labelsPtr: i32, labelsLen: i32, value: f64): void;

// @ts-ignore: decorator
@external("eddy_graph", "metric_histogram")
export declare function host_metric_histogram(namePtr: i32, nameLen: i32, labelsPtr: i32, labelsLen: i32, value: f64): void;

/** Hands a UTF-8 failure message to the host (`error`). */
export function reportError(message: string): void {
  const bytes = String.UTF8.encode(message);
  host_error(<i32>changetype<usize>(bytes), bytes.byteLength);
}
