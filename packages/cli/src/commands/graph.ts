import fs from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { EddyError, ErrorCode } from '@eddy/protocol';
import type { Graph } from '@eddy/protocol';
import { globalsOf, withClient } from '../context.ts';
import { CliError, fileProblem } from '../errors.ts';
import { durationArg, intArg } from './options.ts';
import { partitionForKey } from '@eddy/client';
import { printResult, renderTable } from '../format/output.ts';
import type { Column } from '../format/output.ts';
import { formatDuration, formatElapsed } from '../parse/duration.ts';
import {
  loadGraph, parseGraphDefinition, renderGraph, runGraphTest, parseTestMessages, InvalidGraphError, GraphTestInputError,
  MODULE_OPERATOR_TYPES, registryModuleRefOf,
} from '@eddy/dataflow';
import type { GraphResult, ModuleResolver, OperationAnnotation, OperatorType, TestOutput } from '@eddy/dataflow';
import { findLocalModules, missingModuleMessage } from './graph_modules.ts';
import { fetchHubModules, loadDefinition, type Definition, type HubOptions } from './graph_hub.ts';
import { registerGraphPublish } from './graph_publish.ts';
import { parseExpectedOutputs, valueDifferences } from './graph_compare.ts';
import type { LocalModule } from './graph_modules.ts';

const ALL_OPERATORS: ReadonlySet<OperatorType> = new Set(MODULE_OPERATOR_TYPES);

// ---- option parsing -------------------------------------------------------------------------

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/** KEY=VALUE pairs (split at the first '='), for --param and --state. */
function pairs(flag: string, list: string[] | undefined, keyHint: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const text of list ?? []) {
    const eq = text.indexOf('=');
    if (eq <= 0) throw new CliError(`${flag} '${text}' must be ${keyHint}=VALUE`);
    out[text.slice(0, eq)] = text.slice(eq + 1);
  }
  return out;
}

interface ModuleOptions extends HubOptions { module?: string[]; modules?: string }
interface DefinitionOptions extends ModuleOptions { param?: string[] }

/** The module references a definition's operations name, as written (none when it does not parse). */
function moduleRefTexts(text: string, file: string): string[] {
  const parsed = parseGraphDefinition(text, { file });
  if (!parsed.ok) return [];
  const refs = (parsed.document.definition.operations ?? []).map((o) => o?.module).filter((m): m is string => typeof m === 'string' && m !== '');
  return [...new Set(refs)];
}

/** The same references as the registry knows them (`name:version`). */
function moduleRefs(texts: readonly string[]): string[] {
  return [...new Set(texts.map(registryModuleRefOf))];
}

/** Local modules (--module / --modules), then the Hub's for references not found locally. */
async function findModules(texts: readonly string[], o: ModuleOptions): Promise<{ found: Map<string, LocalModule>; missing: string[]; fetched: string[]; notes: string[] }> {
  const refs = moduleRefs(texts);
  const local = o.module === undefined && o.modules === undefined ? { found: new Map<string, LocalModule>(), missing: refs } : await findLocalModules(refs, o);
  const hub = await fetchHubModules(texts, local.found, o);
  const found = new Map([...local.found, ...hub.found]);
  return { found, missing: refs.filter((r) => !found.has(r)), fetched: hub.fetched, notes: hub.notes };
}

interface Checked {
  def: Definition;
  text: string;
  result: GraphResult;
  modules: Map<string, LocalModule>;
  fetched: string[];
  notes: string[];
}

/**
 * Validates a definition offline: modules come from --module / --modules. For validate (`strict`),
 * a module missing from --modules DIR is an error; one not given with --module alone only skips its operator-type
 * check (with a note: it may be registered on the cluster).
 */
async function checkLocally(arg: string, o: DefinitionOptions, strict = false): Promise<Checked> {
  const def = await loadDefinition(arg, o);
  const { text, file } = def;
  const params = pairs('--param', o.param, 'OPERATION.KEY');
  const texts = moduleRefTexts(text, file);
  const notes: string[] = [];
  let modules = new Map<string, LocalModule>();
  let fetched: string[] = [];
  let resolveModule: ModuleResolver | undefined;
  const local = await findModules(texts, o);
  notes.push(...local.notes);
  if (o.module === undefined && o.modules === undefined && local.fetched.length === 0) {
    if (texts.length > 0) notes.push('modules not checked (give --module NAME:VERSION=PATH or --modules DIR)');
  } else {
    modules = local.found;
    fetched = local.fetched;
    // validate: with a directory to look in, a module missing from it is a mistake (often a typo)
    // that apply would hit later. Explicit --module files alone may leave others to the cluster,
    // and apply lets the cluster resolve modules it already has.
    if (strict && o.modules !== undefined && local.missing.length > 0) throw new CliError(missingModuleMessage(local.missing[0], o.modules));
    for (const ref of local.missing) notes.push(`module ${ref} not found locally: its operator types were not checked`);
    resolveModule = (ref) => modules.get(`${ref.name}:${ref.version}`)?.operators ?? ALL_OPERATORS;
  }
  return { def, text, result: loadGraph(text, { file, params, resolveModule }), modules, fetched, notes };
}

/** Every line of a failed validation on stderr, then exit code 1 (no 'error:' summary line). */
function reportInvalid(lines: string[]): void {
  process.stderr.write(lines.map((l) => `${l}\n`).join(''));
  process.exitCode = 1;
}

// ---- output ---------------------------------------------------------------------------------

const LIST_COLUMNS: Column<Graph>[] = [
  { header: 'NAME', cell: (g) => g.name },
  { header: 'STATUS', cell: (g) => g.status.state },
  { header: 'SOURCES', cell: (g) => g.spec.sources.join(',') },
  { header: 'SINK', cell: (g) => g.spec.sink },
  { header: 'OPERATIONS', cell: (g) => g.status.operators.length },
];

const OPERATOR_COLUMNS: Column<Graph['status']['operators'][number]>[] = [
  { header: 'OPERATION', cell: (o) => o.name },
  { header: 'TYPE', cell: (o) => o.type },
  { header: 'MODULE', cell: (o) => o.module ?? '-' },
  { header: 'IN', cell: (o) => o.recordsIn },
  { header: 'OUT', cell: (o) => o.recordsOut },
];

const ms = (v: number | null) => (v === null ? '-' : formatElapsed(v));
const INSTANCE_COLUMNS: Column<Graph['status']['instances'][number]>[] = [
  { header: 'PARTITION', cell: (i) => i.partition },
  { header: 'STATE', cell: (i) => i.state },
  { header: 'POSITIONS', cell: (i) => i.positions.map((p) => `${p.topic}/${p.partition}@${p.offset}`).join(',') || '-' },
  { header: 'FRONTIER', cell: (i) => (i.frontierMs === null ? '-' : new Date(i.frontierMs).toISOString()) },
  { header: 'FRONTIER LAG', cell: (i) => ms(i.frontierLagMs) },
  { header: 'LATE', cell: (i) => i.lateMessages },
  { header: 'CHECKPOINT', cell: (i) => (i.checkpointMs === null ? '-' : new Date(i.checkpointMs).toISOString()) },
  { header: 'ERROR', cell: (i) => i.error ?? '' },
];

const indent = (text: string) => text.trimEnd().split('\n').map((l) => `  ${l}`).join('\n') + '\n';

/** The default `describe` view: spec, status, operators, instances, and the drawing. */
function describeText(g: Graph, drawing: string | null): string {
  const s = g.spec;
  const params = Object.entries(s.params).map(([k, v]) => `${k}=${v}`).join(', ');
  const state = Object.keys(s.state).length;
  let out = '';
  out += `Name:              ${g.name}\n`;
  out += `Status:            ${g.status.state}${g.status.error ? ` (${g.status.error})` : ''}\n`;
  out += `Sources:           ${s.sources.join(', ')}\n`;
  out += `Sink:              ${s.sink}\n`;
  out += `Late topic:        ${s.lateTopic ?? '-'}\n`;
  out += `Allowed lateness:  ${formatDuration(s.allowedLatenessMs)}\n`;
  out += `Params:            ${params || '-'}\n`;
  out += `State seeds:       ${state === 0 ? '-' : `${state} key${state === 1 ? '' : 's'}`}\n`;
  out += `Created:           ${s.createdMs > 0 ? new Date(s.createdMs).toISOString() : '-'}\n`;
  out += '\nOperators:\n';
  out += g.status.operators.length === 0 ? '  (none reported)\n' : indent(renderTable(g.status.operators, OPERATOR_COLUMNS));
  out += '\nInstances:\n';
  out += g.status.instances.length === 0 ? '  (none running yet)\n' : indent(renderTable(g.status.instances, INSTANCE_COLUMNS));
  if (drawing !== null) out += `\nGraph:\n${indent(drawing)}`;
  return out;
}

/** The drawing of a stored graph, annotated with the operators' record counts. */
async function drawing(g: Graph, format: 'dot' | 'mermaid' | 'text'): Promise<string> {
  const r = loadGraph(g.spec.definition, { file: `${g.name}.yaml`, params: g.spec.params });
  if (!r.ok) throw new CliError(`the stored definition of graph '${g.name}' no longer validates: ${r.errors[0]?.text ?? 'unknown error'}`);
  const annotations: Record<string, OperationAnnotation> = {};
  if (g.status.state !== 'starting') {
    for (const o of g.status.operators) annotations[o.name] = { recordsIn: o.recordsIn, recordsOut: o.recordsOut };
  }
  return renderGraph(r.plan, format, { annotations });
}

const DESCRIBE_FORMATS = ['text', 'json', 'yaml', 'dot', 'mermaid'] as const;
type DescribeFormat = (typeof DESCRIBE_FORMATS)[number];

// ---- commands -------------------------------------------------------------------------------

function moduleOptions(cmd: Command): Command {
  return cmd
    .option('--module <name:version=path>', 'a local graph operator module (repeatable)', collect)
    .option('--modules <dir>', 'find modules as DIR/<name>-<version>.wasm, DIR/<name>/build/<name>.wasm or DIR/<name>.wasm')
    .option('--registry <url>', 'fetch modules referenced by registry name (group/name:version) from this hub (default: $EDDY_HUB or the recorded hub)')
    .option('--allow-unsigned', 'accept unsigned packages from the hub (local work only)');
}

function paramOption(cmd: Command): Command {
  return cmd.option('--param <op.key=value>', "override an operation's module configuration (repeatable)", collect);
}

interface ApplyOptions extends DefinitionOptions {
  source: string[];
  sink: string;
  name?: string;
  state?: string[];
  allowedLateness: number;
  lateTopic?: string;
  dryRun?: boolean;
}

export function registerGraph(program: Command): void {
  const graph = program.command('graph').description('validate, apply, list, describe, test and delete dataflow graphs');

  moduleOptions(paramOption(graph.command('validate')
    .description('check a graph definition offline (schema, graph rules, parameters and, given local modules, operator types)')
    .argument('<file>', 'graph definition (YAML file, or a graph package by registry reference)')))
    .action(async (file: string, o: DefinitionOptions) => {
      const c = await checkLocally(file, o, true);
      if (c.def.fetched !== undefined) process.stderr.write(`${c.def.fetched}\n`);
      for (const f of c.fetched) process.stderr.write(`${f}\n`);
      for (const n of c.notes) process.stderr.write(`note: ${n}\n`);
      for (const w of c.result.warnings) process.stderr.write(`warning: ${w.text}\n`);
      if (!c.result.ok) return reportInvalid(c.result.errors.map((e) => e.text));
      const n = c.result.plan.operations.length;
      process.stdout.write(`${file}: valid (${n} operation${n === 1 ? '' : 's'})\n`);
    });

  moduleOptions(paramOption(graph.command('apply')
    .description('create or replace a graph on the cluster (local modules are registered first)')
    .argument('<file>', 'graph definition (YAML file, or a graph package by registry reference)')
    .requiredOption('--source <topic>', 'a source topic (repeatable)', collect)
    .requiredOption('--sink <topic>', 'the sink topic')
    .option('--name <name>', "graph name (default: the file's name without extension)")
    .option('--state <key=value>', "seed a key of the graph's state store (repeatable)", collect)
    .addOption(new Option('--allowed-lateness <time>', "how far behind the frontier a message may arrive, e.g. '5s'").argParser(durationArg({ bareUnit: 'ms' })).default(0, '0s'))
    .option('--late-topic <topic>', 'write late messages here (default: count and drop them)')
    .option('-d, --dry-run', 'validate on the cluster without applying')))
    .action(async (file: string, o: ApplyOptions, cmd: Command) => {
      const state = pairs('--state', o.state, 'KEY');
      const c = await checkLocally(file, o);
      const name = o.name ?? c.def.name;
      if (c.def.fetched !== undefined) process.stderr.write(`${c.def.fetched}\n`);
      for (const f of c.fetched) process.stderr.write(`${f}\n`);
      if (!c.result.ok) return reportInvalid(c.result.errors.map((e) => e.text));
      const used = new Set(c.result.plan.operations.flatMap((op) => (op.module ? [`${op.module.name}:${op.module.version}`] : [])));
      type Outcome = { uploaded: string[] } & ({ invalid: string[] } | { created: boolean; operations: number });
      const res = await withClient(globalsOf(cmd), async (eddy): Promise<Outcome> => {
        const admin = eddy.admin();
        const uploaded: string[] = [];
        if (!o.dryRun) {
          for (const m of c.modules.values()) {
            if (!used.has(m.ref)) continue;
            if (await registerModule(admin, m)) uploaded.push(m.ref);
          }
        }
        try {
          const r = await admin.applyGraph(
            { name, definition: c.text, sources: o.source, sink: o.sink, params: pairs('--param', o.param, 'OPERATION.KEY'), state, allowedLatenessMs: o.allowedLateness, lateTopic: o.lateTopic ?? null },
            { file: c.def.file, dryRun: !!o.dryRun },
          );
          return { ...r, uploaded };
        } catch (err) {
          if (err instanceof EddyError && err.code === ErrorCode.GraphInvalid) return { invalid: err.message.split('\n'), uploaded };
          throw err;
        }
      });
      for (const ref of res.uploaded) process.stdout.write(`module ${ref} registered\n`);
      if ('invalid' in res) return reportInvalid(res.invalid);
      const what = o.dryRun ? 'is valid (dry run, not applied)' : res.created ? 'created' : 'replaced';
      process.stdout.write(`graph "${name}" ${what} (${res.operations} operation${res.operations === 1 ? '' : 's'})\n`);
    });

  moduleOptions(paramOption(graph.command('test')
    .description('run a graph in-process on messages from a JSONL file and print (or check) what reaches the sink')
    .argument('<file>', 'graph definition (YAML file, or a graph package by registry reference)')
    .requiredOption('--input <file>', 'input messages, one JSON object a line: {"timestamp", "payload", "partition"?, "topic"?, "properties"?}')
    .option('--expected <file>', 'expected sink messages (JSONL, or one JSON message or array); each is compared by JSON value on the fields it has')
    .option('--ignore <field.path>', 'leave this field out of the --expected comparison, e.g. payload.humidity (repeatable)', collect)
    .option('--timestamp-field <name>', 'input lines are bare JSON payloads; their event time is this field (ISO-8601 or epoch ms)')
    .option('--key-field <name>', 'with --timestamp-field: spread messages over --partitions by this field, as the producer partitions by key')
    .addOption(new Option('--partitions <n>', 'source partitions (graph instances) for --key-field').argParser(intArg(1, 10000)).default(1))
    .option('--state <key=value>', "seed a key of the graph's state store (repeatable)", collect)
    .addOption(new Option('--allowed-lateness <time>', "how far behind the frontier a message may arrive, e.g. '5s'").argParser(durationArg({ bareUnit: 'ms' })).default(0, '0s'))))
    .action(async (arg: string, o: DefinitionOptions & { input: string; expected?: string; ignore?: string[]; state?: string[]; allowedLateness: number; timestampField?: string; keyField?: string; partitions: number }) => {
      const def = await loadDefinition(arg, o);
      const { text, file } = def;
      const params = pairs('--param', o.param, 'OPERATION.KEY');
      const state = pairs('--state', o.state, 'KEY');
      const { found, fetched, notes } = await findModules(moduleRefTexts(text, file), o);
      if (def.fetched !== undefined) process.stderr.write(`${def.fetched}\n`);
      for (const f of fetched) process.stderr.write(`${f}\n`);
      for (const n of notes) process.stderr.write(`note: ${n}\n`);
      if (o.keyField !== undefined && o.timestampField === undefined) throw new CliError('--key-field needs --timestamp-field (it reads bare payloads)');
      const input = parseTestMessages(await readText(o.input, 'input'), o.input, { timestampField: o.timestampField });
      if (o.keyField !== undefined) {
        for (const [i, m] of input.entries()) {
          const key = (m.payload as Record<string, unknown>)[o.keyField];
          if (key === undefined || key === null) throw new CliError(`${o.input}:${i + 1}: missing the key field "${o.keyField}"`);
          m.partition = partitionForKey(Buffer.from(String(key)), o.partitions);
        }
      }
      const expected = o.expected === undefined ? null : readExpected(await readText(o.expected, 'expected output'), o.expected);
      let outputs: TestOutput[];
      let late: number;
      try {
        const r = runGraphTest({
          definition: text, file, params, state, allowedLatenessMs: o.allowedLateness, input,
          modules: new Map([...found.values()].map((m) => [m.ref, m.wasm])),
          log: (operation, level, message) => { if (level >= 3) process.stderr.write(`${level === 3 ? 'warn' : 'error'}: ${operation}: ${message}\n`); },
        });
        outputs = r.outputs;
        late = r.lateMessages;
      } catch (err) {
        if (err instanceof InvalidGraphError) return reportInvalid(err.errors.map((e) => e.text));
        if (err instanceof GraphTestInputError) throw new CliError(err.message);
        throw err;
      }
      if (late > 0) process.stderr.write(`note: ${late} late message${late === 1 ? '' : 's'} dropped\n`);
      if (expected === null) {
        process.stdout.write(outputs.map((m) => `${JSON.stringify(m)}\n`).join(''));
        return;
      }
      const problems = compareOutputs(outputs, expected, o.expected!, o.ignore ?? []);
      if (problems.length > 0) {
        process.stderr.write(problems.map((p) => `${p}\n`).join(''));
        process.exitCode = 1;
        return;
      }
      process.stdout.write(`${file}: passed (${outputs.length} output message${outputs.length === 1 ? '' : 's'} as expected)\n`);
    });

  registerGraphPublish(graph);

  graph.command('list')
    .description('list graphs and their status')
    .addOption(new Option('-O, --output <type>', 'output format').choices(['table', 'json', 'yaml'] as const).default('table'))
    .action(async (o: { output: 'table' | 'json' | 'yaml' }, cmd: Command) => {
      const graphs = await withClient(globalsOf(cmd), (eddy) => eddy.admin().listGraphs());
      printResult(o.output, graphs, graphs, LIST_COLUMNS, 'No graphs found');
    });

  graph.command('describe')
    .description("show a graph's spec, status per operator and instance, and a drawing of it")
    .argument('<name>', 'graph name')
    .addOption(new Option('-O, --output <type>', 'output format').choices(DESCRIBE_FORMATS).default('text'))
    .action(async (name: string, o: { output: DescribeFormat }, cmd: Command) => {
      const g = await withClient(globalsOf(cmd), (eddy) => eddy.admin().describeGraph(name));
      if (o.output === 'json' || o.output === 'yaml') return printResult(o.output, g, [], [], '');
      if (o.output === 'dot' || o.output === 'mermaid') {
        const d = await drawing(g, o.output);
        process.stdout.write(d.endsWith('\n') ? d : `${d}\n`);
        return;
      }
      let d: string | null;
      try {
        d = await drawing(g, 'text');
      } catch (err) {
        if (!(err instanceof CliError)) throw err;
        d = null;
      }
      process.stdout.write(describeText(g, d));
    });

  graph.command('delete')
    .description('delete a graph (the cluster stops it)')
    .argument('<name>', 'graph name')
    .action(async (name: string, _o: unknown, cmd: Command) => {
      await withClient(globalsOf(cmd), (eddy) => eddy.admin().deleteGraph(name));
      process.stdout.write(`graph "${name}" deleted\n`);
    });
}

async function readText(file: string, what: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${what} '${file}': ${fileProblem(err)}`);
  }
}

function readExpected(text: string, file: string): Record<string, unknown>[] {
  return parseExpectedOutputs(text, file);
}

/** Differences between actual and expected sink messages, one line each (each expected line is compared on its own fields). */
function compareOutputs(actual: readonly TestOutput[], expected: readonly Record<string, unknown>[], file: string, ignores: readonly string[]): string[] {
  const problems: string[] = [];
  const n = Math.max(actual.length, expected.length);
  for (let i = 0; i < n; i++) {
    const want = expected[i];
    const got = actual[i] as unknown as Record<string, unknown> | undefined;
    if (want === undefined) { problems.push(`${file}: unexpected output ${i + 1}: ${JSON.stringify(got)}`); continue; }
    if (got === undefined) { problems.push(`${file}: output ${i + 1} missing: expected ${JSON.stringify(want)}`); continue; }
    const picked: Record<string, unknown> = {};
    for (const k of Object.keys(want)) picked[k] = got[k];
    for (const d of valueDifferences(picked, want, ignores, 3)) problems.push(`${file}: output ${i + 1}: ${d}`);
  }
  if (actual.length !== expected.length) problems.push(`${file}: ${actual.length} output messages, expected ${expected.length}`);
  return problems;
}

/**
 * Registers a local module unless the cluster has it: the same bytes are skipped, different
 * bytes under the same name:version are refused. Resolves to whether it was registered.
 */
async function registerModule(admin: ReturnType<import('../client.ts').Eddy['admin']>, m: LocalModule): Promise<boolean> {
  const { createHash } = await import('node:crypto');
  const sha256 = createHash('sha256').update(m.wasm).digest('hex');
  let existing: { spec: { sha256: string } }[] = [];
  try {
    existing = await admin.listSmartModules([m.ref]);
  } catch (err) {
    if (!(err instanceof EddyError && err.code === ErrorCode.SmartModuleNotFound)) throw err;
  }
  if (existing.length > 0) {
    if (existing[0].spec.sha256 !== sha256) {
      throw new CliError(`module ${m.ref} is already registered with different content than '${m.file}' (give it a new version)`);
    }
    return false;
  }
  await admin.createSmartModule(m.name, m.wasm, { version: m.version, description: `graph operator module from ${path.basename(m.file)}` });
  return true;
}
