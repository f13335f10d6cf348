// SmartModules written by hand in WebAssembly text, following the ABI in docs/ARCHITECTURE.md and
// Fluvio's encoding, without any SDK: they test the engine against the document.
// Compiled with the `wabt` package.
import wabtInit from 'wabt';

const wabt = await wabtInit();

export function wat2wasm(source: string, name = 'module.wat'): Uint8Array {
  const mod = wabt.parseWat(name, source, { bulk_memory: true, multi_value: true });
  try {
    return mod.toBinary({}).buffer;
  } finally {
    mod.destroy();
  }
}

/**
 * Shared runtime: copy_records import, a bump allocator that starts over once the host
 * has read the previous output, big-endian and zigzag-varint helpers, a record parser,
 * and writers for records and error payloads. Static data lives below 4096.
 */
function runtime(copyModule = 'env'): string {
  return `
  (import "${copyModule}" "copy_records" (func $copy_records (param i32 i32)))
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 4096))
  (global $reset (mut i32) (i32.const 0))
  (global $pos (mut i32) (i32.const 0))
  (global $rec_end (mut i32) (i32.const 0))
  (global $od (mut i32) (i32.const 0))
  (global $ts (mut i32) (i32.const 0))
  (global $key_flag (mut i32) (i32.const 0))
  (global $key_start (mut i32) (i32.const 0))
  (global $key_len (mut i32) (i32.const 0))
  (global $val_start (mut i32) (i32.const 0))
  (global $val_len (mut i32) (i32.const 0))
  (global $base_ts (mut i64) (i64.const 0))

  (func $ensure (param $end i32)
    (local $pages i32)
    (local.set $pages (i32.shr_u (i32.add (local.get $end) (i32.const 65535)) (i32.const 16)))
    (if (i32.gt_u (local.get $pages) (memory.size))
      (then (if (i32.eq (memory.grow (i32.sub (local.get $pages) (memory.size))) (i32.const -1)) (then unreachable)))))
  (func $alloc (export "alloc") (param $n i32) (result i32)
    (local $p i32)
    (if (global.get $reset) (then (global.set $heap (i32.const 4096)) (global.set $reset (i32.const 0))))
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (local.get $p) (local.get $n)))
    (call $ensure (global.get $heap))
    (local.get $p))
  (func (export "dealloc") (param i32 i32))
  (func $finish (param $p i32) (param $n i32)
    (call $copy_records (local.get $p) (local.get $n))
    (global.set $reset (i32.const 1)))

  (func $be16 (param $p i32) (result i32)
    (i32.or (i32.shl (i32.load8_u (local.get $p)) (i32.const 8)) (i32.load8_u offset=1 (local.get $p))))
  (func $be32 (param $p i32) (result i32)
    (i32.or (i32.shl (call $be16 (local.get $p)) (i32.const 16)) (call $be16 (i32.add (local.get $p) (i32.const 2)))))
  (func $be64 (param $p i32) (result i64)
    (i64.or (i64.shl (i64.extend_i32_u (call $be32 (local.get $p))) (i64.const 32))
            (i64.extend_i32_u (call $be32 (i32.add (local.get $p) (i32.const 4))))))
  (func $wbe16 (param $p i32) (param $v i32)
    (i32.store8 (local.get $p) (i32.shr_u (local.get $v) (i32.const 8)))
    (i32.store8 offset=1 (local.get $p) (local.get $v)))
  (func $wbe32 (param $p i32) (param $v i32)
    (call $wbe16 (local.get $p) (i32.shr_u (local.get $v) (i32.const 16)))
    (call $wbe16 (i32.add (local.get $p) (i32.const 2)) (local.get $v)))
  (func $wbe64 (param $p i32) (param $v i64)
    (call $wbe32 (local.get $p) (i32.wrap_i64 (i64.shr_u (local.get $v) (i64.const 32))))
    (call $wbe32 (i32.add (local.get $p) (i32.const 4)) (i32.wrap_i64 (local.get $v))))

  ;; zigzag LEB128: returns the value, leaves the end in $pos
  (func $varint (param $p i32) (result i32)
    (local $r i32) (local $shift i32) (local $b i32)
    (loop $next
      (local.set $b (i32.load8_u (local.get $p)))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (local.set $r (i32.or (local.get $r) (i32.shl (i32.and (local.get $b) (i32.const 0x7f)) (local.get $shift))))
      (local.set $shift (i32.add (local.get $shift) (i32.const 7)))
      (br_if $next (i32.and (local.get $b) (i32.const 0x80))))
    (global.set $pos (local.get $p))
    (i32.xor (i32.shr_u (local.get $r) (i32.const 1)) (i32.sub (i32.const 0) (i32.and (local.get $r) (i32.const 1)))))
  (func $wvarint (param $p i32) (param $v i32) (result i32)
    (local $u i32)
    (local.set $u (i32.xor (i32.shl (local.get $v) (i32.const 1)) (i32.shr_s (local.get $v) (i32.const 31))))
    (block $done
      (loop $next
        (if (i32.lt_u (local.get $u) (i32.const 0x80))
          (then (i32.store8 (local.get $p) (local.get $u)) (br $done)))
        (i32.store8 (local.get $p) (i32.or (i32.and (local.get $u) (i32.const 0x7f)) (i32.const 0x80)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (local.set $u (i32.shr_u (local.get $u) (i32.const 7)))
        (br $next)))
    (i32.add (local.get $p) (i32.const 1)))

  ;; reads the record at $r into the $rec_end/$od/$ts/$key_*/$val_* globals
  (func $parse_record (param $r i32)
    (local $p i32) (local $len i32)
    (local.set $len (call $varint (local.get $r)))
    (local.set $p (global.get $pos))
    (global.set $rec_end (i32.add (local.get $p) (local.get $len)))
    (global.set $ts (call $varint (i32.add (local.get $p) (i32.const 1))))
    (global.set $od (call $varint (global.get $pos)))
    (local.set $p (global.get $pos))
    (global.set $key_flag (i32.load8_u (local.get $p)))
    (local.set $p (i32.add (local.get $p) (i32.const 1)))
    (if (global.get $key_flag)
      (then
        (global.set $key_len (call $varint (local.get $p)))
        (global.set $key_start (global.get $pos))
        (local.set $p (i32.add (global.get $key_start) (global.get $key_len))))
      (else (global.set $key_len (i32.const 0)) (global.set $key_start (i32.const 0))))
    (global.set $val_len (call $varint (local.get $p)))
    (global.set $val_start (global.get $pos)))

  ;; writes a record with the parsed record's preamble and key and the given value
  (func $write_record (param $q i32) (param $v i32) (param $vl i32) (result i32)
    (local $b i32) (local $e i32) (local $blen i32) (local $h i32)
    (local.set $b (i32.add (local.get $q) (i32.const 5)))
    (i32.store8 (local.get $b) (i32.const 0))
    (local.set $e (call $wvarint (i32.add (local.get $b) (i32.const 1)) (global.get $ts)))
    (local.set $e (call $wvarint (local.get $e) (global.get $od)))
    (i32.store8 (local.get $e) (global.get $key_flag))
    (local.set $e (i32.add (local.get $e) (i32.const 1)))
    (if (global.get $key_flag) (then
      (local.set $e (call $wvarint (local.get $e) (global.get $key_len)))
      (memory.copy (local.get $e) (global.get $key_start) (global.get $key_len))
      (local.set $e (i32.add (local.get $e) (global.get $key_len)))))
    (local.set $e (call $wvarint (local.get $e) (local.get $vl)))
    (memory.copy (local.get $e) (local.get $v) (local.get $vl))
    (local.set $e (i32.add (local.get $e) (local.get $vl)))
    (i32.store8 (local.get $e) (i32.const 0))
    (local.set $e (i32.add (local.get $e) (i32.const 1)))
    (local.set $blen (i32.sub (local.get $e) (local.get $b)))
    (local.set $h (call $wvarint (local.get $q) (local.get $blen)))
    (memory.copy (local.get $h) (local.get $b) (local.get $blen))
    (i32.add (local.get $h) (local.get $blen)))

  ;; error body for the parsed record: hint, offset, [kind u8 if >= 0], key option, value
  (func $write_error (param $q i32) (param $hint i32) (param $hlen i32) (param $base i64) (param $kind i32) (result i32)
    (call $wbe16 (local.get $q) (local.get $hlen))
    (memory.copy (i32.add (local.get $q) (i32.const 2)) (local.get $hint) (local.get $hlen))
    (local.set $q (i32.add (i32.add (local.get $q) (i32.const 2)) (local.get $hlen)))
    (call $wbe64 (local.get $q) (i64.add (local.get $base) (i64.extend_i32_s (global.get $od))))
    (local.set $q (i32.add (local.get $q) (i32.const 8)))
    (if (i32.ge_s (local.get $kind) (i32.const 0)) (then
      (i32.store8 (local.get $q) (local.get $kind))
      (local.set $q (i32.add (local.get $q) (i32.const 1)))))
    (i32.store8 (local.get $q) (global.get $key_flag))
    (local.set $q (i32.add (local.get $q) (i32.const 1)))
    (if (global.get $key_flag) (then
      (local.set $q (call $wvarint (local.get $q) (global.get $key_len)))
      (memory.copy (local.get $q) (global.get $key_start) (global.get $key_len))
      (local.set $q (i32.add (local.get $q) (global.get $key_len)))))
    (local.set $q (call $wvarint (local.get $q) (global.get $val_len)))
    (memory.copy (local.get $q) (global.get $val_start) (global.get $val_len))
    (i32.add (local.get $q) (global.get $val_len)))

  (func $contains (param $h i32) (param $hl i32) (param $n i32) (param $nl i32) (result i32)
    (local $i i32) (local $j i32)
    (if (i32.eqz (local.get $nl)) (then (return (i32.const 1))))
    (block $notfound
      (loop $outer
        (br_if $notfound (i32.gt_s (i32.add (local.get $i) (local.get $nl)) (local.get $hl)))
        (local.set $j (i32.const 0))
        (block $mismatch
          (loop $inner
            (br_if $mismatch (i32.ne (i32.load8_u (i32.add (local.get $h) (i32.add (local.get $i) (local.get $j))))
                                     (i32.load8_u (i32.add (local.get $n) (local.get $j)))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br_if $inner (i32.lt_s (local.get $j) (local.get $nl)))
            (return (i32.const 1))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $outer)))
    (i32.const 0))

  ;; skips SmartModuleInput's version-dependent fields after raw_bytes (params, join_record,
  ;; base_timestamp); sets $base_ts; returns the position after them
  (func $skip_tail (param $q i32) (param $ver i32) (result i32)
    (local $n i32) (local $i i32)
    (global.set $base_ts (i64.const 0))
    (if (i32.le_s (local.get $ver) (i32.const 22)) (then
      (local.set $n (call $be16 (local.get $q)))
      (local.set $q (i32.add (local.get $q) (i32.const 2)))
      (block $done (loop $each
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $q (i32.add (local.get $q) (i32.add (i32.const 2) (call $be16 (local.get $q)))))
        (local.set $q (i32.add (local.get $q) (i32.add (i32.const 2) (call $be16 (local.get $q)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each)))
      (if (i32.ge_s (local.get $ver) (i32.const 20)) (then
        (if (i32.load8_u (local.get $q))
          (then
            (local.set $q (i32.add (local.get $q) (i32.const 9)))
            (if (i32.ge_s (local.get $ver) (i32.const 21)) (then
              (if (i32.load8_u (local.get $q))
                (then (local.set $q (i32.add (local.get $q) (i32.const 13))))
                (else (local.set $q (i32.add (local.get $q) (i32.const 1))))))))
          (else (local.set $q (i32.add (local.get $q) (i32.const 1)))))))
      (local.set $q (i32.add (local.get $q) (i32.add (i32.const 4) (call $be32 (local.get $q)))))))
    (if (i32.ge_s (local.get $ver) (i32.const 22)) (then
      (global.set $base_ts (call $be64 (local.get $q)))
      (local.set $q (i32.add (local.get $q) (i32.const 8)))))
    (local.get $q))

  (func $raw_end (param $ptr i32) (result i32)
    (i32.add (i32.add (local.get $ptr) (i32.const 12)) (call $be32 (i32.add (local.get $ptr) (i32.const 8)))))
  `;
}

/** Keeps records whose value contains "a"; a value starting with "!" is a runtime error. */
export const FILTER_A = wat2wasm(`(module ${runtime()}
  (data (i32.const 2048) "value starts with !")
  (data (i32.const 2100) "a")
  (func (export "filter") (param $ptr i32) (param $len i32) (param $ver i32) (result i32)
    (local $base i64) (local $count i32) (local $r i32) (local $i i32) (local $out i32) (local $q i32) (local $kept i32)
    (local.set $base (call $be64 (local.get $ptr)))
    (local.set $count (call $be32 (i32.add (local.get $ptr) (i32.const 12))))
    (local.set $r (i32.add (local.get $ptr) (i32.const 16)))
    (local.set $out (call $alloc (i32.add (i32.mul (local.get $len) (i32.const 2)) (i32.const 64))))
    (local.set $q (i32.add (local.get $out) (i32.const 4)))
    (block $done (loop $each
      (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
      (call $parse_record (local.get $r))
      (if (i32.and (i32.gt_u (global.get $val_len) (i32.const 0)) (i32.eq (i32.load8_u (global.get $val_start)) (i32.const 33)))
        (then
          (call $wbe32 (local.get $out) (local.get $kept))
          (i32.store8 (local.get $q) (i32.const 1))
          (local.set $q (call $write_error (i32.add (local.get $q) (i32.const 1)) (i32.const 2048) (i32.const 19) (local.get $base) (i32.const 0)))
          (call $finish (local.get $out) (i32.sub (local.get $q) (local.get $out)))
          (return (local.get $kept))))
      (if (call $contains (global.get $val_start) (global.get $val_len) (i32.const 2100) (i32.const 1))
        (then
          (memory.copy (local.get $q) (local.get $r) (i32.sub (global.get $rec_end) (local.get $r)))
          (local.set $q (i32.add (local.get $q) (i32.sub (global.get $rec_end) (local.get $r))))
          (local.set $kept (i32.add (local.get $kept) (i32.const 1)))))
      (local.set $r (global.get $rec_end))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $each)))
    (call $wbe32 (local.get $out) (local.get $kept))
    (i32.store8 (local.get $q) (i32.const 0))
    (call $finish (local.get $out) (i32.add (i32.sub (local.get $q) (local.get $out)) (i32.const 1)))
    (local.get $kept)))`, 'filter-a.wat');

/** Upper-cases ASCII letters of every value; exported under `exportName` (map, filter_map, array_map). */
export function upperModule(exportName = 'map', copyModule = 'env'): Uint8Array {
  return wat2wasm(`(module ${runtime(copyModule)}
  (func (export "${exportName}") (param $ptr i32) (param $len i32) (param $ver i32) (result i32)
    (local $count i32) (local $r i32) (local $i i32) (local $out i32) (local $q i32) (local $v i32) (local $e i32) (local $b i32)
    (local.set $count (call $be32 (i32.add (local.get $ptr) (i32.const 12))))
    (local.set $r (i32.add (local.get $ptr) (i32.const 16)))
    (local.set $out (call $alloc (i32.add (local.get $len) (i32.const 8))))
    (local.set $q (i32.add (local.get $out) (i32.const 4)))
    (block $done (loop $each
      (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
      (call $parse_record (local.get $r))
      (memory.copy (local.get $q) (local.get $r) (i32.sub (global.get $rec_end) (local.get $r)))
      (local.set $v (i32.add (local.get $q) (i32.sub (global.get $val_start) (local.get $r))))
      (local.set $e (i32.add (local.get $v) (global.get $val_len)))
      (block $vdone (loop $chars
        (br_if $vdone (i32.ge_u (local.get $v) (local.get $e)))
        (local.set $b (i32.load8_u (local.get $v)))
        (if (i32.and (i32.ge_u (local.get $b) (i32.const 97)) (i32.le_u (local.get $b) (i32.const 122)))
          (then (i32.store8 (local.get $v) (i32.sub (local.get $b) (i32.const 32)))))
        (local.set $v (i32.add (local.get $v) (i32.const 1)))
        (br $chars)))
      (local.set $q (i32.add (local.get $q) (i32.sub (global.get $rec_end) (local.get $r))))
      (local.set $r (global.get $rec_end))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $each)))
    (call $wbe32 (local.get $out) (local.get $count))
    (i32.store8 (local.get $q) (i32.const 0))
    (call $finish (local.get $out) (i32.add (i32.sub (local.get $q) (local.get $out)) (i32.const 1)))
    (local.get $count)))`, `upper-${exportName}.wat`);
}
export const MAP_UPPER = upperModule('map');

/**
 * Map that replaces each value with 20 bytes: base_offset (i64 BE), base_timestamp
 * (i64 BE, 0 below version 22) and the version (u32 BE). Parses the whole version-dependent
 * input layout and returns -11 if it does not end exactly where the host said.
 */
export const MAP_META = wat2wasm(`(module ${runtime()}
  (func (export "map") (param $ptr i32) (param $len i32) (param $ver i32) (result i32)
    (local $count i32) (local $r i32) (local $i i32) (local $out i32) (local $q i32)
    (if (i32.ne (call $skip_tail (call $raw_end (local.get $ptr)) (local.get $ver)) (i32.add (local.get $ptr) (local.get $len)))
      (then (return (i32.const -11))))
    (call $wbe64 (i32.const 1024) (call $be64 (local.get $ptr)))
    (call $wbe64 (i32.const 1032) (global.get $base_ts))
    (call $wbe32 (i32.const 1040) (local.get $ver))
    (local.set $count (call $be32 (i32.add (local.get $ptr) (i32.const 12))))
    (local.set $r (i32.add (local.get $ptr) (i32.const 16)))
    (local.set $out (call $alloc (i32.add (i32.mul (local.get $count) (i32.const 32)) (i32.add (local.get $len) (i32.const 16)))))
    (local.set $q (i32.add (local.get $out) (i32.const 4)))
    (block $done (loop $each
      (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
      (call $parse_record (local.get $r))
      (local.set $q (call $write_record (local.get $q) (i32.const 1024) (i32.const 20)))
      (local.set $r (global.get $rec_end))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $each)))
    (call $wbe32 (local.get $out) (local.get $count))
    (i32.store8 (local.get $q) (i32.const 0))
    (call $finish (local.get $out) (i32.add (i32.sub (local.get $q) (local.get $out)) (i32.const 1)))
    (local.get $count)))`, 'map-meta.wat');

/** Aggregate: accumulator = accumulator ++ value; emits the accumulator after each record. */
export const AGGREGATE_CONCAT = wat2wasm(`(module ${runtime()}
  (func (export "aggregate") (param $ptr i32) (param $len i32) (param $ver i32) (result i32)
    (local $count i32) (local $r i32) (local $i i32) (local $tail i32) (local $alen i32) (local $astart i32)
    (local $acc i32) (local $accl i32) (local $out i32) (local $q i32)
    (local.set $count (call $be32 (i32.add (local.get $ptr) (i32.const 12))))
    (local.set $tail (call $skip_tail (call $raw_end (local.get $ptr)) (local.get $ver)))
    (local.set $alen (call $be32 (local.get $tail)))
    (local.set $astart (i32.add (local.get $tail) (i32.const 4)))
    (if (i32.ne (i32.add (local.get $astart) (local.get $alen)) (i32.add (local.get $ptr) (local.get $len)))
      (then (return (i32.const -11))))
    (local.set $acc (call $alloc (i32.add (local.get $alen) (local.get $len))))
    (memory.copy (local.get $acc) (local.get $astart) (local.get $alen))
    (local.set $accl (local.get $alen))
    (local.set $out (call $alloc (i32.add
      (i32.mul (local.get $count) (i32.add (i32.add (local.get $alen) (local.get $len)) (i32.const 32)))
      (i32.add (i32.add (local.get $alen) (local.get $len)) (i32.const 64)))))
    (local.set $q (i32.add (local.get $out) (i32.const 4)))
    (local.set $r (i32.add (local.get $ptr) (i32.const 16)))
    (block $done (loop $each
      (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
      (call $parse_record (local.get $r))
      (memory.copy (i32.add (local.get $acc) (local.get $accl)) (global.get $val_start) (global.get $val_len))
      (local.set $accl (i32.add (local.get $accl) (global.get $val_len)))
      (local.set $q (call $write_record (local.get $q) (local.get $acc) (local.get $accl)))
      (local.set $r (global.get $rec_end))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $each)))
    (call $wbe32 (local.get $out) (local.get $count))
    (i32.store8 (local.get $q) (i32.const 0))
    (call $wbe32 (i32.add (local.get $q) (i32.const 1)) (local.get $accl))
    (memory.copy (i32.add (local.get $q) (i32.const 5)) (local.get $acc) (local.get $accl))
    (local.set $q (i32.add (i32.add (local.get $q) (i32.const 5)) (local.get $accl)))
    (call $finish (local.get $out) (i32.sub (local.get $q) (local.get $out)))
    (local.get $count)))`, 'aggregate-concat.wat');

/** init takes param "key" (else fails with a hint); the filter keeps values containing it. */
export const FILTER_PARAM = wat2wasm(`(module ${runtime()}
  (global $plen (mut i32) (i32.const 0))
  (data (i32.const 2048) "missing param: key")
  (func (export "init") (param $ptr i32) (param $len i32) (param $ver i32) (result i32)
    (local $n i32) (local $i i32) (local $p i32) (local $kl i32) (local $ks i32) (local $vl i32) (local $vs i32) (local $out i32)
    (local.set $n (call $be16 (local.get $ptr)))
    (local.set $p (i32.add (local.get $ptr) (i32.const 2)))
    (block $done (loop $each
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $kl (call $be16 (local.get $p)))
      (local.set $ks (i32.add (local.get $p) (i32.const 2)))
      (local.set $p (i32.add (local.get $ks) (local.get $kl)))
      (local.set $vl (call $be16 (local.get $p)))
      (local.set $vs (i32.add (local.get $p) (i32.const 2)))
      (local.set $p (i32.add (local.get $vs) (local.get $vl)))
      (if (i32.and (i32.eq (local.get $kl) (i32.const 3))
            (i32.and (i32.eq (i32.load8_u (local.get $ks)) (i32.const 107))
              (i32.and (i32.eq (i32.load8_u offset=1 (local.get $ks)) (i32.const 101))
                       (i32.eq (i32.load8_u offset=2 (local.get $ks)) (i32.const 121)))))
        (then
          (memory.copy (i32.const 256) (local.get $vs) (local.get $vl))
          (global.set $plen (local.get $vl))
          (global.set $reset (i32.const 1))
          (return (i32.const 0))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $each)))
    (local.set $out (call $alloc (i32.const 32)))
    (call $wbe16 (local.get $out) (i32.const 18))
    (memory.copy (i32.add (local.get $out) (i32.const 2)) (i32.const 2048) (i32.const 18))
    (call $finish (local.get $out) (i32.const 20))
    (i32.const -2))
  (func (export "filter") (param $ptr i32) (param $len i32) (param $ver i32) (result i32)
    (local $count i32) (local $r i32) (local $i i32) (local $out i32) (local $q i32) (local $kept i32)
    (local.set $count (call $be32 (i32.add (local.get $ptr) (i32.const 12))))
    (local.set $r (i32.add (local.get $ptr) (i32.const 16)))
    (local.set $out (call $alloc (i32.add (local.get $len) (i32.const 8))))
    (local.set $q (i32.add (local.get $out) (i32.const 4)))
    (block $done (loop $each
      (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
      (call $parse_record (local.get $r))
      (if (call $contains (global.get $val_start) (global.get $val_len) (i32.const 256) (global.get $plen))
        (then
          (memory.copy (local.get $q) (local.get $r) (i32.sub (global.get $rec_end) (local.get $r)))
          (local.set $q (i32.add (local.get $q) (i32.sub (global.get $rec_end) (local.get $r))))
          (local.set $kept (i32.add (local.get $kept) (i32.const 1)))))
      (local.set $r (global.get $rec_end))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $each)))
    (call $wbe32 (local.get $out) (local.get $kept))
    (i32.store8 (local.get $q) (i32.const 0))
    (call $finish (local.get $out) (i32.add (i32.sub (local.get $q) (local.get $out)) (i32.const 1)))
    (local.get $kept)))`, 'filter-param.wat');

/**
 * look_back remembers the first byte of the last value it sees ("!" is a look-back error);
 * the filter keeps values whose first byte is greater than the last seen, then remembers it.
 */
export const FILTER_LOOKBACK = wat2wasm(`(module ${runtime()}
  (global $last (mut i32) (i32.const 0))
  (data (i32.const 2048) "bad look-back value")
  (func (export "look_back") (param $ptr i32) (param $len i32) (param $ver i32) (result i32)
    (local $base i64) (local $count i32) (local $r i32) (local $i i32) (local $out i32) (local $q i32)
    (local.set $base (call $be64 (local.get $ptr)))
    (local.set $count (call $be32 (i32.add (local.get $ptr) (i32.const 12))))
    (local.set $r (i32.add (local.get $ptr) (i32.const 16)))
    (block $done (loop $each
      (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
      (call $parse_record (local.get $r))
      (if (i32.eq (i32.load8_u (global.get $val_start)) (i32.const 33)) (then
        (local.set $out (call $alloc (i32.add (local.get $len) (i32.const 64))))
        (local.set $q (call $write_error (local.get $out) (i32.const 2048) (i32.const 19) (local.get $base) (i32.const -1)))
        (call $finish (local.get $out) (i32.sub (local.get $q) (local.get $out)))
        (return (i32.const -10))))
      (global.set $last (i32.load8_u (global.get $val_start)))
      (local.set $r (global.get $rec_end))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $each)))
    (global.set $reset (i32.const 1))
    (i32.const 0))
  (func (export "filter") (param $ptr i32) (param $len i32) (param $ver i32) (result i32)
    (local $count i32) (local $r i32) (local $i i32) (local $out i32) (local $q i32) (local $kept i32) (local $b i32)
    (local.set $count (call $be32 (i32.add (local.get $ptr) (i32.const 12))))
    (local.set $r (i32.add (local.get $ptr) (i32.const 16)))
    (local.set $out (call $alloc (i32.add (local.get $len) (i32.const 8))))
    (local.set $q (i32.add (local.get $out) (i32.const 4)))
    (block $done (loop $each
      (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
      (call $parse_record (local.get $r))
      (local.set $b (i32.load8_u (global.get $val_start)))
      (if (i32.gt_u (local.get $b) (global.get $last))
        (then
          (global.set $last (local.get $b))
          (memory.copy (local.get $q) (local.get $r) (i32.sub (global.get $rec_end) (local.get $r)))
          (local.set $q (i32.add (local.get $q) (i32.sub (global.get $rec_end) (local.get $r))))
          (local.set $kept (i32.add (local.get $kept) (i32.const 1)))))
      (local.set $r (global.get $rec_end))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $each)))
    (call $wbe32 (local.get $out) (local.get $kept))
    (i32.store8 (local.get $q) (i32.const 0))
    (call $finish (local.get $out) (i32.add (i32.sub (local.get $q) (local.get $out)) (i32.const 1)))
    (local.get $kept)))`, 'filter-lookback.wat');

/** Prints to stdout and stderr through WASI, then returns no records. */
export const WASI_PRINTER = wat2wasm(`(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  ${runtime()}
  (data (i32.const 2048) "hello from wasm\\npartial ")
  (data (i32.const 2100) "line\\n")
  (data (i32.const 2200) "to stderr\\n")
  (func $print (param $fd i32) (param $p i32) (param $n i32)
    (i32.store (i32.const 3000) (local.get $p))
    (i32.store (i32.const 3004) (local.get $n))
    (drop (call $fd_write (local.get $fd) (i32.const 3000) (i32.const 1) (i32.const 3008))))
  (func (export "filter") (param $ptr i32) (param $len i32) (param $ver i32) (result i32)
    (local $out i32)
    (call $print (i32.const 1) (i32.const 2048) (i32.const 24))
    (call $print (i32.const 1) (i32.const 2100) (i32.const 5))
    (call $print (i32.const 2) (i32.const 2200) (i32.const 10))
    (local.set $out (call $alloc (i32.const 8)))
    (call $wbe32 (local.get $out) (i32.const 0))
    (i32.store8 offset=4 (local.get $out) (i32.const 0))
    (call $finish (local.get $out) (i32.const 5))
    (i32.const 0)))`, 'wasi-printer.wat');

const trivial = (body: string, extra = ''): Uint8Array =>
  wat2wasm(`(module ${runtime()} ${extra}
  (func (export "filter") (param $ptr i32) (param $len i32) (param $ver i32) (result i32) ${body}))`);

/** Never returns. */
export const INFINITE_LOOP = trivial('(loop $forever (br $forever)) (i32.const 0)');
/** Traps with `unreachable`. */
export const TRAP = trivial('unreachable');
/** Grows its memory 1 MiB at a time and aborts (traps) when growth is refused, like an allocator. */
export const MEMORY_HOG = trivial(`
  (loop $more
    (if (i32.eq (memory.grow (i32.const 16)) (i32.const -1)) (then unreachable))
    (br $more))
  (i32.const 0)`);
/** Returns Fluvio's "failed to decode SmartModule record input" code. */
export const RETURNS_MINUS_22 = trivial('(i32.const -22)');
/** Claims 5 records but hands back only the count. */
export const BAD_OUTPUT = trivial(`
  (call $wbe32 (i32.const 1024) (i32.const 5))
  (call $finish (i32.const 1024) (i32.const 4))
  (i32.const 5)`);
/** A start function that never returns (instantiation must be under the time budget too). */
export const LOOPING_START = wat2wasm(`(module ${runtime()}
  (func $start (loop $forever (br $forever)))
  (start $start)
  (func (export "filter") (param i32 i32 i32) (result i32) (i32.const 0)))`);
/** Imports something the host does not provide. */
export const UNKNOWN_IMPORT = wat2wasm(`(module
  (import "env" "mystery" (func $mystery))
  ${runtime()}
  (func (export "filter") (param i32 i32 i32) (result i32) (i32.const 0)))`);
/** Has the runtime but no transform export. */
export const NO_TRANSFORM = wat2wasm(`(module ${runtime()})`);
/** Declares 20 pages (1.25 MiB) of initial memory. */
export const BIG_INITIAL_MEMORY = wat2wasm(`(module
  (import "env" "copy_records" (func $copy_records (param i32 i32)))
  (memory (export "memory") 20)
  (func (export "alloc") (param i32) (result i32) (i32.const 0))
  (func (export "filter") (param i32 i32 i32) (result i32) (i32.const 0)))`);

/**
 * Exercises WASI: random_get (16 bytes), clock_time_get(realtime) (u64 LE), args/environ
 * sizes and the errno of path_open, returned as the value of one record (60 bytes).
 * An empty batch makes it call proc_exit(3).
 */
export const WASI_MISC = wat2wasm(`(module
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $env (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  ${runtime()}
  (func (export "filter") (param $ptr i32) (param $len i32) (param $ver i32) (result i32)
    (local $out i32) (local $q i32)
    (if (i32.eqz (call $be32 (i32.add (local.get $ptr) (i32.const 12)))) (then (call $exit (i32.const 3))))
    (i32.store (i32.const 1064) (call $random_get (i32.const 1024) (i32.const 16)))
    (i32.store (i32.const 1068) (call $clock (i32.const 0) (i64.const 1000) (i32.const 1040)))
    (i32.store (i32.const 1072) (call $args (i32.const 1048) (i32.const 1052)))
    (i32.store (i32.const 1076) (call $env (i32.const 1056) (i32.const 1060)))
    (i32.store (i32.const 1080) (call $path_open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 0)))
    (call $parse_record (i32.add (local.get $ptr) (i32.const 16)))
    (local.set $out (call $alloc (i32.const 200)))
    (local.set $q (call $write_record (i32.add (local.get $out) (i32.const 4)) (i32.const 1024) (i32.const 60)))
    (call $wbe32 (local.get $out) (i32.const 1))
    (i32.store8 (local.get $q) (i32.const 0))
    (call $finish (local.get $out) (i32.add (i32.sub (local.get $q) (local.get $out)) (i32.const 1)))
    (i32.const 1)))`, 'wasi-misc.wat');
