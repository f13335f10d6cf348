// Constants of the Fluvio SmartModule ABI, as Fluvio's `fluvio-smartmodule`,
// `fluvio-protocol` and `fluvio-smartengine` crates define them.

/** Oldest SmartModule ABI version Eddy can encode input for. */
export const SMARTMODULE_MIN_VERSION = 16;
/** Newest SmartModule ABI version (Fluvio's stream-fetch COMMON_VERSION). The default. */
export const SMARTMODULE_LATEST_VERSION = 25;
/** From this version `SmartModuleExtraParams` carries `lookback: Option<Lookback>`. */
export const SMARTMODULE_LOOKBACK_VERSION = 20;
/** From this version `Lookback` carries `age: Option<Duration>`. */
export const SMARTMODULE_LOOKBACK_AGE_VERSION = 21;
/** From this version `SmartModuleInput` carries `base_timestamp`. */
export const SMARTMODULE_TIMESTAMPS_VERSION = 22;
/**
 * Last version whose `SmartModuleInput` still carries the deprecated `params`
 * and `join_record` fields. Fluvio declares them `max_version = 22` and its
 * derive treats max as inclusive, so version 22 carries params, join_record
 * AND base_timestamp.
 */
export const SMARTMODULE_LAST_PARAMS_VERSION = 22;

/** Transform entry points, in the order Fluvio's `create_transform` probes them. */
export const TRANSFORM_EXPORTS = ['filter', 'map', 'filter_map', 'array_map', 'aggregate'] as const;
export type TransformName = (typeof TRANSFORM_EXPORTS)[number];

export const INIT_EXPORT = 'init';
export const LOOK_BACK_EXPORT = 'look_back';
export const ALLOC_EXPORT = 'alloc';
export const MEMORY_EXPORT = 'memory';
export const COPY_RECORDS_IMPORT = 'copy_records';
export const WASI_MODULE = 'wasi_snapshot_preview1';

/** `SmartModuleKind` tags (u8) as encoded in `SmartModuleTransformRuntimeError.kind`. */
export const SmartModuleKind = {
  filter: 0,
  map: 1,
  array_map: 2,
  aggregate: 3,
  filter_map: 4,
  join: 5,
  generic: 6,
} as const;
export type SmartModuleKindName = keyof typeof SmartModuleKind;

const KIND_NAMES: readonly SmartModuleKindName[] = ['filter', 'map', 'array_map', 'aggregate', 'filter_map', 'join', 'generic'];

export function kindName(code: number): SmartModuleKindName | 'unknown' {
  return KIND_NAMES[code] ?? 'unknown';
}

/** `SmartModuleTransformErrorStatus`: negative return codes of transforms. */
const TRANSFORM_STATUS: Readonly<Record<number, string>> = {
  [-1]: 'encountered unknown error during SmartModule processing',
  [-11]: 'failed to decode SmartModule base input',
  [-22]: 'failed to decode SmartModule record input',
  [-33]: 'failed to encode SmartModule output',
  [-44]: 'failed to parse SmartModule extra params',
  [-55]: 'undefined right record in Join SmartModule',
  [-60]: 'init params are not found',
};

/** `SmartModuleInitErrorStatus`: negative return codes of `init`. */
export const INIT_STATUS_INIT_ERROR = -2;
const INIT_STATUS: Readonly<Record<number, string>> = {
  [-1]: 'encountered unknown error during SmartModule initialization',
  [-2]: 'error during initialization',
  [-10]: 'failed to decode SmartModule init input',
  [-11]: 'failed to encode SmartModule init output',
};

/**
 * `SmartModuleLookbackErrorStatus`. The crate is not in our reference corpus at
 * this level of detail; -10 (PropagatedError) is how Fluvio signals "an error
 * record was written with copy_records". We decode the output whenever
 * copy_records was called, whatever the code, so a different number still works.
 */
const LOOK_BACK_STATUS: Readonly<Record<number, string>> = {
  [-1]: 'encountered unknown error during SmartModule look-back',
  [-10]: 'look-back returned an error',
  [-11]: 'failed to decode SmartModule base input',
  [-22]: 'failed to decode SmartModule record input',
  [-33]: 'failed to encode SmartModule output',
};

export type EntryPoint = 'transform' | 'init' | 'look_back';

export function statusMessage(entry: EntryPoint, status: number): string {
  const table = entry === 'init' ? INIT_STATUS : entry === 'look_back' ? LOOK_BACK_STATUS : TRANSFORM_STATUS;
  return table[status] ?? `returned unknown error code ${status}`;
}

/** Every function of WASI preview 1; the ones Eddy does not implement answer ENOSYS. */
export const WASI_PREVIEW1_FUNCTIONS: readonly string[] = [
  'args_get', 'args_sizes_get', 'environ_get', 'environ_sizes_get', 'clock_res_get', 'clock_time_get',
  'fd_advise', 'fd_allocate', 'fd_close', 'fd_datasync', 'fd_fdstat_get', 'fd_fdstat_set_flags',
  'fd_fdstat_set_rights', 'fd_filestat_get', 'fd_filestat_set_size', 'fd_filestat_set_times', 'fd_pread',
  'fd_prestat_get', 'fd_prestat_dir_name', 'fd_pwrite', 'fd_read', 'fd_readdir', 'fd_renumber', 'fd_seek',
  'fd_sync', 'fd_tell', 'fd_write', 'path_create_directory', 'path_filestat_get', 'path_filestat_set_times',
  'path_link', 'path_open', 'path_readlink', 'path_remove_directory', 'path_rename', 'path_symlink',
  'path_unlink_file', 'poll_oneoff', 'proc_exit', 'proc_raise', 'sched_yield', 'random_get', 'sock_accept',
  'sock_recv', 'sock_send', 'sock_shutdown',
];

export const WASM_PAGE_BYTES = 65536;
