// The logging surface storage needs; a pino logger fits it.

export interface StorageLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Used when the caller gives no logger: problems to stderr, routine messages dropped. */
export const defaultStorageLogger: StorageLogger = {
  info() {},
  warn(obj, msg) {
    console.warn(msg, obj);
  },
  error(obj, msg) {
    console.error(msg, obj);
  },
};
