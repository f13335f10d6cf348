// @eddy/cli: the `eddy` command. Its public face is the program itself (bin/eddy.ts);
// the parsers are exported for tools that take the same human-friendly values. The benchmark
// drivers and the local cluster launcher, which bench/ and the repo tests reuse, are in
// internal_mod.ts (`@eddy/cli/internal`).
export { main, buildProgram } from './main.ts';
export { parseDuration, formatDuration } from './parse/duration.ts';
export { parseSize } from './parse/size.ts';
export { compileTemplate } from './format/template.ts';
