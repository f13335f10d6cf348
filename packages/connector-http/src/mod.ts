// @eddy/connector-http: the http-source and http-sink connectors.
export { httpSource } from './http_source.ts';
export type { HttpSourceOptions } from './http_source.ts';
export { httpSink } from './http_sink.ts';
export type { HttpSinkOptions } from './http_sink.ts';
export { DelimiterSplitter } from './delimiter_splitter.ts';
export { formatRecord, responseHead } from './response_format.ts';
