// Graph operator modules written by hand in WebAssembly text from ABI.md, without the SDK:
// they test the host and runtime against the document (compiled by the engine tests' wat2wasm).
import { wat2wasm } from '../../smartengine/test/wat_modules.ts';

export { wat2wasm };

/** Imports, memory, a bump allocator reset per call, and a message walker. */
const RUNTIME = `
  (import "eddy_graph" "output" (func $output (param i32 i32)))
  (import "eddy_graph" "error" (func $error (param i32 i32)))
  (import "eddy_graph" "state_get" (func $state_get (param i32 i32 i32 i32) (result i32)))
  (import "eddy_graph" "state_set" (func $state_set (param i32 i32 i32 i32 i32 i64 i32) (result i32)))
  (import "eddy_graph" "log" (func $log (param i32 i32 i32)))
  (import "eddy_graph" "metric_counter" (func $metric_counter (param i32 i32 i32 i32 f64)))
  (memory (export "memory") 2)
  (global $heap (mut i32) (i32.const 4096))
  (func $grow (param $end i32)
    (local $have i32)
    (local.set $have (i32.mul (memory.size) (i32.const 65536)))
    (if (i32.gt_u (local.get $end) (local.get $have))
      (then (drop (memory.grow (i32.add (i32.div_u (i32.sub (local.get $end) (local.get $have)) (i32.const 65536)) (i32.const 1)))))))
  (func (export "alloc") (param $n i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (local.get $p) (i32.and (i32.add (local.get $n) (i32.const 7)) (i32.const -8))))
    (call $grow (global.get $heap))
    (local.get $p))
  (func (export "dealloc") (param i32 i32) (global.set $heap (i32.const 4096)))
  (func (export "graph_abi_version") (result i32) (i32.const 1))
  ;; payload start of the message at $m
  (func $payload (param $m i32) (result i32)
    (i32.add (i32.add (i32.add (local.get $m) (i32.const 32)) (i32.load16_u offset=26 (local.get $m))) (i32.load16_u offset=28 (local.get $m))))
`;

/** filter: keeps messages whose payload's first byte is odd; branch: True when odd. */
export const ODD_WAT = `(module ${RUNTIME}
  (func $decide (param $ptr i32) (param $len i32) (result i32)
    (local $n i32) (local $i i32) (local $m i32) (local $out i32)
    (local.set $n (i32.load (local.get $ptr)))
    (local.set $m (i32.add (local.get $ptr) (i32.const 4)))
    (local.set $out (global.get $heap))
    (call $grow (i32.add (local.get $out) (local.get $n)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (i32.store8 (i32.add (local.get $out) (local.get $i))
        (i32.and (i32.load8_u (call $payload (local.get $m))) (i32.const 1)))
      (local.set $m (i32.add (local.get $m) (i32.load (local.get $m))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (call $output (local.get $out) (local.get $n))
    (i32.const 0))
  (func (export "graph_filter") (param i32 i32) (result i32) (call $decide (local.get 0) (local.get 1)))
  (func (export "graph_branch") (param i32 i32) (result i32) (call $decide (local.get 0) (local.get 1)))
)`;

/** map: the identity (hands its input back). */
export const IDENTITY_MAP_WAT = `(module ${RUNTIME}
  (func (export "graph_map") (param $ptr i32) (param $len i32) (result i32)
    (call $output (local.get $ptr) (local.get $len))
    (i32.const 0))
)`;

/** delay: rounds each timestamp up to the next multiple of $window ms (counter 0, node kept). */
/** A delay to the end of windows of `windowMs` in the physical unit (ns since the HLC is ns). */
export function windowDelayWat(windowMs: number): string {
  return `(module ${RUNTIME}
  (func (export "graph_delay") (param $ptr i32) (param $len i32) (result i32)
    (local $n i32) (local $i i32) (local $m i32) (local $out i32) (local $t i64) (local $o i32)
    (local.set $n (i32.load (local.get $ptr)))
    (local.set $m (i32.add (local.get $ptr) (i32.const 4)))
    (local.set $out (global.get $heap))
    (call $grow (i32.add (local.get $out) (i32.mul (local.get $n) (i32.const 16))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $t (i64.load offset=8 (local.get $m)))
      (local.set $t (i64.mul (i64.div_u (i64.add (local.get $t) (i64.const ${windowMs - 1})) (i64.const ${windowMs})) (i64.const ${windowMs})))
      (local.set $o (i32.add (local.get $out) (i32.mul (local.get $i) (i32.const 16))))
      (i64.store (local.get $o) (local.get $t))
      (i32.store offset=8 (local.get $o) (i32.const 0))
      (i32.store offset=12 (local.get $o) (i32.load offset=20 (local.get $m)))
      (local.set $m (i32.add (local.get $m) (i32.load (local.get $m))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (call $output (local.get $out) (i32.mul (local.get $n) (i32.const 16)))
    (i32.const 0))
)`;
}

/**
 * accumulate: one raw message whose payload is the concatenation of the group's payloads
 * (after the staged message), so tests see the order the host gave.
 */
export const CONCAT_ACCUMULATE_WAT = `(module ${RUNTIME}
  (func (export "graph_accumulate") (param $ptr i32) (param $len i32) (result i32)
    (local $n i32) (local $i i32) (local $m i32) (local $out i32) (local $w i32) (local $pl i32)
    (local.set $n (i32.load (local.get $ptr)))
    (local.set $out (global.get $heap))
    (call $grow (i32.add (local.get $out) (i32.add (local.get $len) (i32.const 64))))
    (i32.store (local.get $out) (i32.const 1))
    (local.set $w (i32.add (local.get $out) (i32.const 36)))
    ;; skip the staged message
    (local.set $m (i32.add (local.get $ptr) (i32.const 4)))
    (local.set $m (i32.add (local.get $m) (i32.load (local.get $m))))
    (local.set $i (i32.const 1))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $pl (i32.load offset=4 (local.get $m)))
      (memory.copy (local.get $w) (call $payload (local.get $m)) (local.get $pl))
      (local.set $w (i32.add (local.get $w) (local.get $pl)))
      (local.set $m (i32.add (local.get $m) (i32.load (local.get $m))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    ;; header: size, payload length, timestamp 0 (the host sets it), kind raw, no fields
    (memory.fill (i32.add (local.get $out) (i32.const 4)) (i32.const 0) (i32.const 32))
    (i32.store offset=4 (local.get $out) (i32.sub (local.get $w) (i32.add (local.get $out) (i32.const 4))))
    (i32.store offset=8 (local.get $out) (i32.sub (local.get $w) (i32.add (local.get $out) (i32.const 36))))
    (call $output (local.get $out) (i32.sub (local.get $w) (local.get $out)))
    (i32.const 0))
)`;

/** init refuses any configuration that lacks parameter "ok" (message: "need ok"). */
export const PICKY_INIT_WAT = `(module ${RUNTIME}
  (data (i32.const 16) "need ok")
  (func (export "graph_init") (param $ptr i32) (param $len i32) (result i32)
    ;; parameter count after the operation name
    (if (i32.eqz (i32.load (i32.add (i32.add (local.get $ptr) (i32.const 4)) (i32.load (local.get $ptr)))))
      (then (call $error (i32.const 16) (i32.const 7)) (return (i32.const 1))))
    (i32.const 0))
  (func (export "graph_map") (param $ptr i32) (param $len i32) (result i32)
    (call $output (local.get $ptr) (local.get $len))
    (i32.const 0))
)`;

/** map that traps (unreachable). */
export const TRAP_MAP_WAT = `(module ${RUNTIME}
  (func (export "graph_map") (param i32 i32) (result i32) unreachable)
)`;

/** map that returns one message fewer than it got. */
export const SHORT_MAP_WAT = `(module ${RUNTIME}
  (func (export "graph_map") (param $ptr i32) (param $len i32) (result i32)
    (i32.store (local.get $ptr) (i32.const 0))
    (call $output (local.get $ptr) (i32.const 4))
    (i32.const 0))
)`;

/** map: the identity, and per call a log line "mapped" (info) and counter `mapped_total` += n with label kind=test. */
export const OBSERVED_MAP_WAT = `(module ${RUNTIME}
  (data (i32.const 16) "mapped")
  (data (i32.const 32) "mapped_total")
  ;; labels: count 1, "kind" = "test"
  (data (i32.const 64) "\\01\\00\\00\\00\\04\\00\\00\\00kind\\04\\00\\00\\00test")
  (func (export "graph_map") (param $ptr i32) (param $len i32) (result i32)
    (call $log (i32.const 2) (i32.const 16) (i32.const 6))
    (call $metric_counter (i32.const 32) (i32.const 12) (i32.const 64) (i32.const 20) (f64.convert_i32_u (i32.load (local.get $ptr))))
    (call $output (local.get $ptr) (local.get $len))
    (i32.const 0))
)`;

/** map that never returns. */
export const LOOP_MAP_WAT = `(module ${RUNTIME}
  (func (export "graph_map") (param i32 i32) (result i32) (loop $forever (br $forever)) (i32.const 0))
)`;

/** map that grows its memory by 2000 pages (125 MiB) and traps when that is refused. */
export const GREEDY_MAP_WAT = `(module ${RUNTIME}
  (func (export "graph_map") (param $ptr i32) (param $len i32) (result i32)
    (if (i32.lt_s (memory.grow (i32.const 2000)) (i32.const 0)) (then unreachable))
    (call $output (local.get $ptr) (local.get $len))
    (i32.const 0))
)`;

/**
 * map: counts messages in the state store (key "count", u32) and writes the running count as
 * 8 decimal digits over the first 8 payload bytes (payloads must have 8). After a restart the
 * numbering continues only if the state store came back consistent with what was written.
 */
export const COUNTING_MAP_WAT = `(module ${RUNTIME}
  (data (i32.const 16) "count")
  (func (export "graph_map") (param $ptr i32) (param $len i32) (result i32)
    (local $n i32) (local $i i32) (local $m i32) (local $count i32) (local $p i32) (local $d i32) (local $v i32)
    ;; the count so far (4 bytes at 32), 0 when absent
    (i32.store (i32.const 32) (i32.const 0))
    (drop (call $state_get (i32.const 16) (i32.const 5) (i32.const 32) (i32.const 4)))
    (local.set $count (i32.load (i32.const 32)))
    (local.set $n (i32.load (local.get $ptr)))
    (local.set $m (i32.add (local.get $ptr) (i32.const 4)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $count (i32.add (local.get $count) (i32.const 1)))
      (if (i32.lt_u (i32.load offset=4 (local.get $m)) (i32.const 8)) (then unreachable))
      (local.set $p (call $payload (local.get $m)))
      (local.set $v (local.get $count))
      (local.set $d (i32.const 7))
      (block $digits (loop $digit
        (i32.store8 (i32.add (local.get $p) (local.get $d)) (i32.add (i32.const 48) (i32.rem_u (local.get $v) (i32.const 10))))
        (local.set $v (i32.div_u (local.get $v) (i32.const 10)))
        (br_if $digits (i32.eqz (local.get $d)))
        (local.set $d (i32.sub (local.get $d) (i32.const 1)))
        (br $digit)))
      (local.set $m (i32.add (local.get $m) (i32.load (local.get $m))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (i32.store (i32.const 32) (local.get $count))
    (drop (call $state_set (i32.const 16) (i32.const 5) (i32.const 32) (i32.const 4) (i32.const 0) (i64.const 0) (i32.const 0)))
    (call $output (local.get $ptr) (local.get $len))
    (i32.const 0))
)`;

/**
 * map through wasi-nn: loads the first message's payload as an ONNX model (`load`, encoding
 * ONNX, target CPU); a failed load fails the call ("could not load the model"), else the batch
 * passes unchanged.
 */
export const LOAD_MODEL_MAP_WAT = `(module
  (import "wasi_ephemeral_nn" "load" (func $nn_load (param i32 i32 i32 i32 i32) (result i32)))
  ${RUNTIME}
  (data (i32.const 16) "could not load the model")
  (func (export "graph_map") (param $ptr i32) (param $len i32) (result i32)
    (local $m i32)
    (local.set $m (i32.add (local.get $ptr) (i32.const 4)))
    (i32.store (i32.const 64) (call $payload (local.get $m)))
    (i32.store (i32.const 68) (i32.load offset=4 (local.get $m)))
    (if (call $nn_load (i32.const 64) (i32.const 1) (i32.const 1) (i32.const 0) (i32.const 72))
      (then (call $error (i32.const 16) (i32.const 24)) (return (i32.const -1))))
    (call $output (local.get $ptr) (local.get $len))
    (i32.const 0)))`;
