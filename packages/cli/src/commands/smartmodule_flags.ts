// The SmartModule flags `eddy consume` and `eddy produce` share, named as Fluvio's CLI names them:
//   --smartmodule NAME | --smartmodule-path FILE   [-e k=v ...] [--aggregate-initial V]
//                                                  [--lookback-last N] [--lookback-age 1h]
//   -t/--transforms FILE | --transforms-line JSON ...   (Fluvio's transforms format: a chain; each
//                                                       step may add Eddy's `version`, the ABI version)
import fs from 'node:fs';
import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import { parseTransforms, parseTransformLine, SmartModuleSpecError } from '../client.ts';
import type { SmartModuleSpec } from '../client.ts';
import { CliError, fileProblem } from '../errors.ts';
import { intArg, durationArg } from './options.ts';

export interface SmartModuleFlags {
  smartmodule?: string;
  smartmodulePath?: string;
  params?: [string, string][];
  aggregateInitial?: string;
  lookbackLast?: number;
  lookbackAge?: number;
  transforms?: string;
  transformsLine?: string[];
}

/** -e key=value, repeatable; the value may contain '='. */
function paramArg(text: string, previous: [string, string][] | undefined): [string, string][] {
  const at = text.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError(`expected key=value, e.g. -e key=a`);
  return [...(previous ?? []), [text.slice(0, at), text.slice(at + 1)]];
}

function collect(text: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), text];
}

/** Adds the SmartModule flags to `cmd`; `where` says where the chain runs, for the help text. */
export function addSmartModuleOptions(cmd: Command, where: string): Command {
  return cmd
    .addOption(new Option('--smartmodule <name>', `run this SmartModule (registered with 'eddy smartmodule create', or a hub package group/name@version, fetched once and cached) ${where}`).conflicts(['smartmodulePath', 'transforms', 'transformsLine']))
    .addOption(new Option('--smartmodule-path <file>', `run this .wasm file (sent with the request) ${where}`).conflicts(['transforms', 'transformsLine']))
    .addOption(new Option('-e, --params <key=value>', 'a parameter for the SmartModule\'s init (repeatable), e.g. -e key=a').argParser(paramArg))
    .option('--aggregate-initial <value>', 'initial accumulator of an aggregate SmartModule')
    .addOption(new Option('--lookback-last <n>', 'feed the SmartModule\'s look_back the last <n> records first').argParser(intArg()))
    .addOption(new Option('--lookback-age <time>', "feed the SmartModule's look_back the records younger than <time> first, e.g. '1h'").argParser(durationArg()))
    .addOption(new Option('-t, --transforms <file>', 'a chain of SmartModules in a transforms file (YAML: transforms: [{uses, with, lookback, version}]; version: the ABI version, 16-25)').conflicts(['transformsLine']))
    .addOption(new Option('--transforms-line <json>', 'one transform as JSON, e.g. \'{"uses":"my-filter","with":{"key":"a"}}\' (repeatable: a chain)').argParser(collect));
}

/** The chain the flags describe ([] when none). Throws CliError on a bad combination or file. */
export function smartModulesFrom(o: SmartModuleFlags): SmartModuleSpec[] {
  const single = o.smartmodule ?? o.smartmodulePath;
  if (single === undefined) {
    for (const [flag, set] of [
      ['-e/--params', o.params !== undefined], ['--aggregate-initial', o.aggregateInitial !== undefined],
      ['--lookback-last', o.lookbackLast !== undefined], ['--lookback-age', o.lookbackAge !== undefined],
    ] as const) {
      if (set) throw new CliError(`${flag} needs --smartmodule or --smartmodule-path (in a transforms file, use 'with' and 'lookback')`);
    }
  }
  try {
    if (o.transforms !== undefined) return parseTransforms(readText(o.transforms), o.transforms);
    if (o.transformsLine !== undefined) return o.transformsLine.map((line, i) => parseTransformLine(line, `--transforms-line #${i + 1}`));
  } catch (err) {
    if (err instanceof SmartModuleSpecError) throw new CliError(err.message);
    throw err;
  }
  if (single === undefined) return [];
  const spec: SmartModuleSpec = o.smartmodule !== undefined ? { name: o.smartmodule } : { path: o.smartmodulePath };
  if (o.params !== undefined) spec.params = Object.fromEntries(o.params);
  if (o.aggregateInitial !== undefined) spec.initialAccumulator = o.aggregateInitial;
  if (o.lookbackLast !== undefined || o.lookbackAge !== undefined) {
    spec.lookback = {
      ...(o.lookbackLast !== undefined ? { last: o.lookbackLast } : {}),
      ...(o.lookbackAge !== undefined ? { age: o.lookbackAge } : {}),
    };
  }
  if (spec.path !== undefined) readable(spec.path);
  return [spec];
}

/**
 * Replaces each step named as a hub package (group/name@version) with its verified .wasm,
 * fetched once from the hub ($EDDY_HUB or the one `eddy hub start`/`login` recorded) and cached.
 */
export async function resolveHubSmartModules(specs: SmartModuleSpec[]): Promise<SmartModuleSpec[]> {
  if (!specs.some((s) => s.name !== undefined && s.name.includes('@') && s.name.includes('/'))) return specs;
  const { HubClient, HubError, parsePackageRef, wasmFileOf } = await import('@eddy/hub');
  let hub: InstanceType<typeof HubClient> | undefined;
  try {
    return await Promise.all(specs.map(async (s) => {
      if (s.name === undefined || !s.name.includes('@') || !s.name.includes('/')) return s;
      const ref = parsePackageRef(s.name);
      hub ??= new HubClient();
      const pkg = await hub.fetch(ref, { kind: 'smartmodule' });
      const wasm = pkg.files.find((f) => f.name === wasmFileOf(pkg, s.name!))!.data;
      const { name: _name, ...rest } = s;
      return { ...rest, wasm };
    }));
  } catch (err) {
    if (err instanceof HubError) throw new CliError(err.message);
    throw err;
  }
}

function readText(file: string): string {
  readable(file);
  return fs.readFileSync(file, 'utf8');
}

/** Fails early, in the CLI's words, on a file that cannot be read. */
function readable(file: string): void {
  try {
    if (fs.statSync(file).isDirectory()) throw new CliError(`cannot read '${file}': it is a directory`);
    fs.accessSync(file, fs.constants.R_OK);
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`cannot read '${file}': ${fileProblem(err)}`);
  }
}
