// @eddy/smdk as a library: the CLI entry and the pieces tools may reuse (project layout, build).
// Its helpers beyond that (the TOML codec, locating the SDK) are in internal_mod.ts
// (`@eddy/smdk/internal`).
export { main, buildProgram, VERSION } from './main.ts';
export { SmdkError, CompileError } from './errors.ts';
export { compileProject, type CompileOptions, type CompileResult } from './compile.ts';
export { findProject, openProject, wasmPath, type Project } from './project.ts';
export { readManifest, parseManifest, formatManifest, defaultManifest, MANIFEST_FILE, type SmartModuleManifest, type ManifestParam } from './manifest.ts';
export { generateProject, SM_TYPES, type SmType, type GenerateOptions } from './generate.ts';
