// AssemblyScript compiler transform (`asc --transform @eddy/smartmodule-sdk/transform`): turns
// decorated plain functions into the SmartModule ABI exports, so an author writes only
//
//   import { SmartModuleRecord } from "@eddy/smartmodule-sdk";
//   @filter
//   function keep(record: SmartModuleRecord): bool { return record.valueContains("a"); }
//
// and the module exports `filter(ptr, len, version)` (calling the SDK's runFilter with `keep`),
// `alloc` and `dealloc`, as if the author had written them. Plain JavaScript (not TypeScript) so
// plain `asc` loads it under any Node version and from inside node_modules.
//
// How: after parsing, each entry file with SmartModule decorators is parsed again from its text
// with the decorators blanked out (same length, so every position and line number stays) and the
// generated exports appended after the last line. Mistakes (two transforms, an unknown
// decorator, a wrong signature) are compile errors at the decorator, one line each.
import { CommonFlags, DiagnosticCode, NodeKind, SourceKind } from 'assemblyscript';

const NAME = '@eddy/smartmodule-sdk';
const SDK_MODULE = '@eddy/smartmodule-sdk';
/** Prefix of every generated name, kept out of the author's way. */
const P = '__eddy_sm_';

/**
 * What each decorator expects: the ABI export it makes, its runner in the SDK, and the
 * function's parameter and return types (canonical names, see typeName).
 */
export const DECORATORS = {
  filter: { export: 'filter', transform: true, runner: 'runFilter', params: ['SmartModuleRecord'], returns: 'bool' },
  map: { export: 'map', transform: true, runner: 'runMap', params: ['SmartModuleRecord'], returns: 'SmartModuleRecord' },
  filter_map: { export: 'filter_map', transform: true, runner: 'runFilterMap', params: ['SmartModuleRecord'], returns: 'SmartModuleRecord | null' },
  array_map: { export: 'array_map', transform: true, runner: 'runArrayMap', params: ['SmartModuleRecord'], returns: 'SmartModuleRecord[]' },
  // runner and types chosen by the accumulator's type: string or Uint8Array
  aggregate: { export: 'aggregate', transform: true, runner: 'runAggregate', params: ['string', 'SmartModuleRecord'], returns: 'string' },
  init: { export: 'init', transform: false, runner: 'runInit', params: ['Params'], returns: 'void' },
  look_back: { export: 'look_back', transform: false, runner: 'runLookBack', params: ['SmartModuleRecord'], returns: 'void' },
};

/**
 * Graph operator decorators (the dataflow graph ABI, ABI.md in @eddy/dataflow), after Azure IoT
 * Operations' Rust macros. A module may carry several, one per operator type, plus @operator_init.
 */
export const GRAPH_DECORATORS = {
  map_operator: { export: 'graph_map', transform: true, runner: 'runMap', params: ['Message'], names: ['input'], returns: 'Message' },
  filter_operator: { export: 'graph_filter', transform: true, runner: 'runFilter', params: ['Message'], names: ['input'], returns: 'bool' },
  branch_operator: { export: 'graph_branch', transform: true, runner: 'runBranch', params: ['Message', 'Hlc'], names: ['input', 'timestamp'], returns: 'bool' },
  delay_operator: { export: 'graph_delay', transform: true, runner: 'runDelay', params: ['Message', 'Hlc'], names: ['input', 'timestamp'], returns: 'Hlc' },
  accumulate_operator: { export: 'graph_accumulate', transform: true, runner: 'runAccumulate', params: ['Message', 'Message[]'], names: ['staged', 'inputs'], returns: 'Message' },
  operator_init: { export: 'graph_init', transform: false, runner: 'runInit', params: ['ModuleConfiguration'], names: ['configuration'], returns: 'bool' },
};
const GRAPH_SDK_MODULE = '@eddy/smartmodule-sdk/graph';
const GRAPH_DECORATOR_LIST = Object.keys(GRAPH_DECORATORS).map((d) => '@' + d).join(', ');
const GRAPH_EXPORTS = Object.values(GRAPH_DECORATORS).map((d) => d.export);
const GRAPH_OPERATOR_LIST = Object.keys(GRAPH_DECORATORS).filter((d) => GRAPH_DECORATORS[d].transform).map((d) => '@' + d).join(', ');
const isGraph = (kind) => Object.hasOwn(GRAPH_DECORATORS, kind);
const specOf = (kind) => (isGraph(kind) ? GRAPH_DECORATORS[kind] : DECORATORS[kind]);

const DECORATOR_LIST = Object.keys(DECORATORS).map((d) => '@' + d).join(', ');
const TRANSFORM_EXPORTS = Object.values(DECORATORS).filter((d) => d.transform).map((d) => d.export);
const AGGREGATE_BYTES = { runner: 'runAggregateBytes', params: ['Uint8Array', 'SmartModuleRecord'], returns: 'Uint8Array' };

/** Type names whose meaning is known here; any other name (an alias, say) is left to the compiler. */
const KNOWN_TYPES = new Set([
  'bool', 'i8', 'i16', 'i32', 'i64', 'isize', 'u8', 'u16', 'u32', 'u64', 'usize', 'f32', 'f64', 'v128', 'void',
  'string', 'Array', 'StaticArray', 'Uint8Array', 'ArrayBuffer', 'Map', 'Set',
  'SmartModuleRecord', 'Params', 'JsonValue', 'Message', 'Hlc', 'ModuleConfiguration',
]);
const ALIASES = { boolean: 'bool', String: 'string', number: 'f64' };

/** Programs already transformed (the transform may be named twice, by flag and by asconfig). */
const done = (globalThis[Symbol.for('@eddy/smartmodule-sdk/transform')] ??= new WeakSet());

export default class SmartModuleTransform {
  /** @param {import('assemblyscript').Parser} parser */
  afterParse(parser) {
    const program = this.program ?? parser;
    if (done.has(program)) return;
    done.add(program);
    transformSources(parser);
  }
}

/**
 * Finds the SmartModule decorators in the user's files, checks them, and re-parses each entry
 * file that has some with the generated exports. Reports problems as diagnostics on `parser`.
 */
export function transformSources(parser) {
  const errors = [];
  const error = (range, message) => errors.push({ range, message });
  /** @type {Array<{source: any, uses: any[], exported: Map<string, string>}>} */
  const entries = [];
  const uses = [];
  const explicit = []; // ABI exports the author wrote by hand: { name, range }
  for (const source of parser.sources) {
    if (source.sourceKind !== SourceKind.User && source.sourceKind !== SourceKind.UserEntry) continue;
    if (source.normalizedPath.startsWith('~lib/')) continue;
    const isEntry = source.sourceKind === SourceKind.UserEntry;
    const found = [];
    const exported = new Map(); // exported name -> what
    for (const statement of source.statements) {
      if (statement.kind === NodeKind.FunctionDeclaration) {
        if (statement.flags & CommonFlags.Export) exported.set(statement.name.text, 'function');
        if (statement.decorators) found.push(...decoratorUses(statement, error));
      } else if (statement.kind === NodeKind.Export && statement.members) {
        for (const m of statement.members) exported.set(m.exportedName.text, 'export');
      }
    }
    if (isEntry) {
      const decorated = new Set(found.map((u) => u.fn.name.text));
      for (const name of exported.keys()) {
        if (!TRANSFORM_EXPORTS.includes(name) && name !== 'init' && name !== 'look_back' && !GRAPH_EXPORTS.includes(name)) continue;
        // `@filter export function filter(record)`: the author's function would take the ABI export's name
        const own = found.find((u) => u.fn.name.text === name);
        if (own) error(own.fn.name.range, `@${own.kind} function ${name} is exported under an ABI export's name: remove its "export" (or rename it)`);
        else if (!decorated.has(name)) explicit.push({ name, source });
      }
    }
    if (found.length === 0) continue;
    if (!isEntry) {
      for (const u of found) {
        error(u.decorator.range, `@${u.kind} must be on a function in the entry file (${entryNames(parser)}), not in ${source.normalizedPath}: the ABI exports it makes must be the module's`);
      }
      continue;
    }
    entries.push({ source, uses: found, exported });
    uses.push(...found);
  }

  const graphUses = uses.filter((u) => isGraph(u.kind));
  if (graphUses.length > 0) {
    checkGraphModule(graphUses, uses.filter((u) => !isGraph(u.kind)), explicit, error);
    for (const e of errors) parser.error(DiagnosticCode.Transform_0_1, e.range, NAME, e.message);
    if (errors.length > 0) return;
    for (const entry of entries) reparse(parser, entry);
    return;
  }

  // one transform, at most one init and one look_back, per module
  const transforms = uses.filter((u) => DECORATORS[u.kind].transform);
  const explicitTransforms = explicit.filter((e) => TRANSFORM_EXPORTS.includes(e.name));
  if (transforms.length + explicitTransforms.length > 1 && transforms.length > 0) {
    const all = [...transforms.map((u) => `@${u.kind} ${u.fn.name.text}`), ...explicitTransforms.map((e) => `the exported function ${e.name}`)];
    error(transforms[transforms.length > 1 ? 1 : 0].decorator.range, `two transforms in one module (${all.join(', ')}): a SmartModule has exactly one of ${TRANSFORM_EXPORTS.map((n) => '@' + n).join(', ')}`);
  }
  for (const kind of ['init', 'look_back']) {
    const mine = uses.filter((u) => u.kind === kind);
    const theirs = explicit.filter((e) => e.name === kind);
    if (mine.length > 0 && mine.length + theirs.length > 1) {
      error(mine[mine.length > 1 ? 1 : 0].decorator.range, `more than one ${kind} in one module (${[...mine.map((u) => `@${kind} ${u.fn.name.text}`), ...theirs.map(() => `the exported function ${kind}`)].join(', ')})`);
    }
    if (mine.length > 0 && transforms.length + explicitTransforms.length === 0) {
      error(mine[0].decorator.range, `@${kind} ${mine[0].fn.name.text} needs a transform in the same module: add one of ${TRANSFORM_EXPORTS.map((n) => '@' + n).join(', ')}`);
    }
  }
  for (const e of errors) parser.error(DiagnosticCode.Transform_0_1, e.range, NAME, e.message);
  if (errors.length > 0) return;
  for (const entry of entries) reparse(parser, entry);
}

/** A graph module: no SmartModule decorators, each operator type once, @operator_init with an operator. */
function checkGraphModule(graphUses, smUses, explicit, error) {
  if (smUses.length > 0) {
    const all = [...graphUses.map((u) => `@${u.kind} ${u.fn.name.text}`), ...smUses.map((u) => `@${u.kind} ${u.fn.name.text}`)];
    error(smUses[0].decorator.range, `graph operator and SmartModule decorators in one module (${all.join(', ')}): a module is either a graph operator module or a SmartModule`);
    return;
  }
  for (const kind of Object.keys(GRAPH_DECORATORS)) {
    const mine = graphUses.filter((u) => u.kind === kind);
    const exportName = GRAPH_DECORATORS[kind].export;
    const theirs = explicit.filter((e) => e.name === exportName);
    if (mine.length > 0 && mine.length + theirs.length > 1) {
      const all = [...mine.map((u) => `@${kind} ${u.fn.name.text}`), ...theirs.map(() => `the exported function ${exportName}`)];
      error(mine[mine.length > 1 ? 1 : 0].decorator.range, `more than one @${kind} in one module (${all.join(', ')}): a module provides each operator type once`);
    }
  }
  const init = graphUses.find((u) => u.kind === 'operator_init');
  const operators = graphUses.filter((u) => GRAPH_DECORATORS[u.kind].transform);
  const explicitOperators = explicit.filter((e) => GRAPH_EXPORTS.includes(e.name) && e.name !== 'graph_init');
  if (init && operators.length + explicitOperators.length === 0) {
    error(init.decorator.range, `@operator_init ${init.fn.name.text} needs an operator in the same module: add one of ${GRAPH_OPERATOR_LIST}`);
  }
}

function entryNames(parser) {
  return parser.sources.filter((s) => s.sourceKind === SourceKind.UserEntry && !s.normalizedPath.startsWith('~lib/')).map((s) => s.normalizedPath).join(', ') || 'the entry file';
}

/** The SmartModule decorators on one function, checked; unknown decorators are errors. */
function decoratorUses(fn, error) {
  const out = [];
  for (const decorator of fn.decorators) {
    if (decorator.decoratorKind !== 0 /* DecoratorKind.Custom: AssemblyScript's own are left alone */) continue;
    const name = decorator.name.kind === NodeKind.Identifier ? decorator.name.text : null;
    if (name === null || (!Object.hasOwn(DECORATORS, name) && !isGraph(name))) {
      const shown = name ?? sourceText(decorator.name);
      const hint = name !== null ? suggestion(name) : null;
      const graphish = hint !== null ? isGraph(hint) : /operator|init/i.test(shown);
      const list = graphish ? `graph operator decorators are ${GRAPH_DECORATOR_LIST}` : `SmartModule decorators are ${DECORATOR_LIST}`;
      error(decorator.range, `unknown decorator @${shown} on function ${fn.name.text}${hint ? `: did you mean @${hint}?` : ''} (${list})`);
      continue;
    }
    if (decorator.args && decorator.args.length > 0) {
      error(decorator.range, `@${name} takes no arguments`);
      continue;
    }
    const use = { kind: name, decorator, fn, runner: specOf(name).runner };
    if (checkSignature(use, error)) out.push(use);
  }
  return out;
}

/** A close SmartModule decorator name for a misspelt one (filterMap, lookback, Filter...). */
function suggestion(name) {
  const plain = name.toLowerCase().replace(/[-_]/g, '');
  for (const d of Object.keys(DECORATORS)) if (d.replace(/_/g, '') === plain) return d;
  for (const d of Object.keys(GRAPH_DECORATORS)) if (d.replace(/_/g, '') === plain) return d;
  if (plain === 'initoperator' || plain === 'graphinit') return 'operator_init';
  if (plain === 'lookback' || plain === 'lookbehind') return 'look_back';
  if (plain === 'flatmap') return 'array_map';
  return null;
}

/** Checks what can be checked before types are resolved; false (with an error) when wrong. */
function checkSignature(use, error) {
  const { fn, kind } = use;
  const what = `@${kind} function ${fn.name.text}`;
  let want = specOf(kind);
  if (fn.typeParameters && fn.typeParameters.length > 0) {
    error(fn.name.range, `${what} cannot be generic`);
    return false;
  }
  if (!fn.body) {
    error(fn.name.range, `${what} needs a body`);
    return false;
  }
  const params = fn.signature.parameters;
  if (kind === 'aggregate' && params.length === 2) {
    const acc = typeName(params[0].type);
    if (acc === 'Uint8Array') {
      want = AGGREGATE_BYTES;
      use.runner = AGGREGATE_BYTES.runner;
    } else if (acc !== 'string') {
      error(params[0].type.range, `${what}: the accumulator must be a string or a Uint8Array, not ${acc ?? sourceText(params[0].type)} (${expected(DECORATORS.aggregate)} or ${expected(AGGREGATE_BYTES)})`);
      return false;
    }
  }
  const wanted = kind === 'aggregate' ? `${expected(DECORATORS.aggregate)} or ${expected(AGGREGATE_BYTES)}` : expected(want);
  if (params.length !== want.params.length || params.some((p) => p.parameterKind !== 0 /* ParameterKind.Default */)) {
    error(fn.signature.range, `${what} must take ${want.params.length === 1 ? 'one parameter' : `${want.params.length} parameters`}: ${wanted}`);
    return false;
  }
  for (let i = 0; i < params.length; i++) {
    const t = typeName(params[i].type);
    if (t !== null && t !== want.params[i]) {
      error(params[i].type.range, `${what}: parameter ${params[i].name.text} must be a ${want.params[i]}, not ${t}: ${wanted}`);
      return false;
    }
  }
  const r = typeName(fn.signature.returnType);
  if (r !== null && r !== want.returns) {
    const why = kind === 'map' && r === 'SmartModuleRecord | null' ? ' (to drop records, use @filter_map)'
      : kind === 'filter' && r !== 'bool' ? ' (true keeps the record)'
      : kind === 'filter_operator' ? ' (true keeps the message)'
      : kind === 'branch_operator' ? ' (true routes the message to the "True" arm)'
      : kind === 'operator_init' ? ' (false refuses the configuration)' : '';
    error(fn.signature.returnType.range, `${what} must return ${want.returns}, not ${r}${why}: ${wanted}`);
    return false;
  }
  return true;
}

function expected(want) {
  if (want.names) return `(${want.params.map((t, i) => `${want.names[i]}: ${t}`).join(', ')}): ${want.returns}`;
  const names = want.params.length === 1 && want.params[0] === 'Params' ? ['params'] : want.params.length === 2 ? ['accumulator', 'record'] : ['record'];
  return `(${want.params.map((t, i) => `${names[i]}: ${t}`).join(', ')}): ${want.returns}`;
}

/**
 * The canonical name of a written type when it is one this transform knows (`bool`, `string`,
 * `SmartModuleRecord | null`, `SmartModuleRecord[]`...), or null when it cannot tell (an alias,
 * an omitted type): the compiler checks those.
 */
function typeName(node) {
  if (!node || node.kind !== NodeKind.NamedType) return node && node.kind === NodeKind.FunctionType ? 'a function' : null;
  if (node.name.next) return null; // qualified (ns.Type)
  let name = node.name.identifier.text;
  if (name === '') return null; // omitted
  name = ALIASES[name] ?? name;
  if (!KNOWN_TYPES.has(name)) return null;
  const args = node.typeArguments ?? [];
  let text = name;
  if (name === 'Array' && args.length === 1) {
    const inner = typeName(args[0]);
    if (inner === null) return null;
    text = inner.includes(' ') ? `Array<${inner}>` : `${inner}[]`;
  } else if (args.length > 0) {
    const inner = args.map(typeName);
    if (inner.includes(null)) return null;
    text = `${name}<${inner.join(', ')}>`;
  }
  return node.isNullable ? `${text} | null` : text;
}

function sourceText(node) {
  return node.range.source.text.slice(node.range.start, node.range.end);
}

const GRAPH_NAMES = ['Message', 'Hlc', 'ModuleConfiguration', 'MessageBuilder', 'JsonValue', 'logger', 'stateStore', 'metrics'];

/** Module specifier the entry imports the graph SDK by (default @eddy/smartmodule-sdk/graph). */
function graphSdkSpecifier(source) {
  for (const s of source.statements) {
    if (s.kind !== NodeKind.Import || !s.declarations) continue;
    if (s.declarations.some((d) => ['Message', 'Hlc', 'ModuleConfiguration'].includes(d.foreignName.text))) return s.path.value;
  }
  for (const s of source.statements) {
    if (s.kind !== NodeKind.Import || !s.declarations) continue;
    if (/graph/.test(s.path.value) && s.declarations.some((d) => GRAPH_NAMES.includes(d.foreignName.text))) return s.path.value;
  }
  return GRAPH_SDK_MODULE;
}

/** The code appended to a graph module's entry: graph_abi_version, alloc/dealloc and one export per decorated function. */
export function generatedGraphCode(uses, exported, sdk) {
  const runners = [...new Set(uses.map((u) => u.runner))];
  const lines = [
    `// generated by ${NAME}/transform: the graph operator ABI exports for ${uses.map((u) => `@${u.kind} ${u.fn.name.text}`).join(', ')}`,
    `import { ${runners.map((r) => `${r} as ${P}${r}`).join(', ')} } from ${JSON.stringify(sdk)};`,
  ];
  const abi = ['alloc', 'dealloc', 'graph_abi_version'].filter((n) => !exported.has(n));
  if (abi.length > 0) lines.push(`export { ${abi.join(', ')} } from ${JSON.stringify(sdk)};`);
  for (const u of uses) {
    const name = GRAPH_DECORATORS[u.kind].export;
    lines.push(`function ${P}${name}(ptr: i32, len: i32): i32 { return ${P}${u.runner}(ptr, len, ${u.fn.name.text}); }`);
    lines.push(`export { ${P}${name} as ${name} };`);
  }
  return lines.join('\n') + '\n';
}

/** Module specifier the entry imports the SDK by (a relative path inside the SDK's own tests). */
function sdkSpecifier(source) {
  for (const s of source.statements) {
    if (s.kind !== NodeKind.Import || !s.declarations) continue;
    if (s.declarations.some((d) => ['SmartModuleRecord', 'Params'].includes(d.foreignName.text))) return s.path.value;
  }
  return SDK_MODULE;
}

/** The code appended to an entry file: imports of the runners, alloc/dealloc and one export per decorated function. */
export function generatedCode(uses, exported, sdk) {
  const runners = [...new Set(uses.map((u) => u.runner))];
  const lines = [
    `// generated by ${NAME}/transform: the SmartModule ABI exports for ${uses.map((u) => `@${u.kind} ${u.fn.name.text}`).join(', ')}`,
    `import { ${runners.map((r) => `${r} as ${P}${r}`).join(', ')} } from ${JSON.stringify(sdk)};`,
  ];
  const abi = ['alloc', 'dealloc'].filter((n) => !exported.has(n));
  if (abi.length > 0) lines.push(`export { ${abi.join(', ')} } from ${JSON.stringify(sdk)};`);
  for (const u of uses) {
    const name = DECORATORS[u.kind].export;
    lines.push(`function ${P}${name}(ptr: i32, len: i32, version: i32): i32 { return ${P}${u.runner}(ptr, len, version, ${u.fn.name.text}); }`);
    lines.push(`export { ${P}${name} as ${name} };`);
  }
  return lines.join('\n') + '\n';
}

/** Parses the entry again: decorators blanked (positions kept), generated exports appended. */
function reparse(parser, { source, uses, exported }) {
  const text = source.text;
  let out = '';
  let at = 0;
  for (const u of [...uses].sort((a, b) => a.decorator.range.start - b.decorator.range.start)) {
    const { start, end } = u.decorator.range;
    out += text.slice(at, start) + text.slice(start, end).replace(/[^\n\r]/g, ' ');
    at = end;
  }
  out += text.slice(at);
  const code = uses.some((u) => isGraph(u.kind)) ? generatedGraphCode(uses, exported, graphSdkSpecifier(source)) : generatedCode(uses, exported, sdkSpecifier(source));
  out += (out.endsWith('\n') ? '' : '\n') + code;
  const index = parser.sources.indexOf(source);
  if (index >= 0) parser.sources.splice(index, 1);
  parser.donelog.delete(source.internalPath);
  parser.parseFile(out, source.normalizedPath, true);
}
