// @eddy/connector-file: the file-source and file-sink connectors.
export { fileSource } from './file_source.ts';
export type { FileSourceOptions } from './file_source.ts';
export { fileSink } from './file_sink.ts';
export type { FileSinkOptions } from './file_sink.ts';
