import { parseArgs } from 'node:util';
import { sectionName, type ConnectorDefinition } from './define.ts';
import { ConfigError, oneLine } from './errors.ts';
import { optionsTable } from './json_schema.ts';
import { connectorMetadata } from './metadata.ts';
import { startConnector, type RunningConnector } from './start_connector.ts';

export interface RunOptions {
  /** Call process.exit with the code when done (default true); false for tests. */
  exit?: boolean;
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
  env?: NodeJS.ProcessEnv;
  /** Hears the running connector once it started (tests stop it through this). */
  onStarted?: (c: RunningConnector) => void;
}

/** Exit codes: 0 done, 1 runtime failure (retry budget exhausted, fatal error), 2 bad usage or config. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

function usage(def: ConnectorDefinition): string {
  return [
    `${def.name} ${def.version}: ${def.description}`,
    '',
    'usage:',
    `  ${def.name} --config FILE [--secrets FILE] [--endpoint HOST:PORT] [--metrics-port N] [--log-level LEVEL]`,
    `  ${def.name} metadata     print {name, direction, schema, version, description} as JSON`,
    `  ${def.name} docs         print the '${sectionName(def)}' options as a markdown table`,
    '',
    'Secrets (${{ secrets.NAME }} in the config) come from --secrets FILE (NAME=value lines), then the environment.',
    'The cluster is --endpoint, else $EDDY_ENDPOINT, else the current profile.',
  ].join('\n');
}

/**
 * The main of every connector binary: `await runConnector(def, process.argv)`. Runs until the
 * connector ends or SIGTERM/SIGINT (graceful: flush, commit), prints a failure as one line on
 * stderr, and exits with the code it resolves to.
 */
export async function runConnector(def: ConnectorDefinition, argv: readonly string[], opts: RunOptions = {}): Promise<number> {
  const out = opts.stdout ?? ((t: string) => process.stdout.write(t));
  const err = opts.stderr ?? ((t: string) => process.stderr.write(t));
  const code = await main(def, argv.slice(2), out, err, opts);
  if (opts.exit !== false) process.exit(code);
  return code;
}

async function main(def: ConnectorDefinition, args: string[], out: (t: string) => void, err: (t: string) => void, opts: RunOptions): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: joinNegativeValues(args),
      allowPositionals: true,
      options: {
        config: { type: 'string', short: 'c' },
        secrets: { type: 'string' },
        endpoint: { type: 'string' },
        'metrics-port': { type: 'string' },
        'log-level': { type: 'string' },
        'liveness-interval': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'V' },
      },
    });
  } catch (e) {
    err(`${def.name}: ${oneLine(e)}\n${usage(def)}\n`);
    return EXIT_USAGE;
  }
  const { values, positionals } = parsed;
  if (values.help) { out(`${usage(def)}\n`); return EXIT_OK; }
  if (values.version) { out(`${def.version}\n`); return EXIT_OK; }
  if (positionals[0] === 'metadata') { out(`${JSON.stringify(connectorMetadata(def))}\n`); return EXIT_OK; }
  if (positionals[0] === 'docs') { out(`${optionsTable(def.options, sectionName(def))}\n`); return EXIT_OK; }
  if (positionals.length > 0) { err(`${def.name}: unknown command '${positionals[0]}'\n${usage(def)}\n`); return EXIT_USAGE; }
  if (values.config === undefined) { err(`${def.name}: --config FILE is required\n${usage(def)}\n`); return EXIT_USAGE; }

  const metricsPort = values['metrics-port'] === undefined ? undefined : Number(values['metrics-port']);
  if (metricsPort !== undefined && !(Number.isInteger(metricsPort) && metricsPort >= -1 && metricsPort < 65536)) {
    err(`${def.name}: --metrics-port must be a port number (0: any free port, -1: none)\n`);
    return EXIT_USAGE;
  }
  const liveness = values['liveness-interval'] === undefined ? undefined : Number(values['liveness-interval']);
  let running: RunningConnector;
  try {
    running = await startConnector(def, {
      configFile: values.config,
      secretsFile: values.secrets,
      endpoint: values.endpoint,
      metricsPort,
      logLevel: values['log-level'],
      livenessIntervalMs: liveness !== undefined && liveness > 0 ? liveness : undefined,
      env: opts.env,
    });
  } catch (e) {
    err(`${def.name}: ${oneLine(e)}\n`);
    return e instanceof ConfigError ? EXIT_USAGE : EXIT_FAILED;
  }
  opts.onStarted?.(running);
  const stop = (): void => { void running.stop(); };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  try {
    await running.done;
    return EXIT_OK;
  } catch (e) {
    err(`${def.name}: ${oneLine(e)}\n`);
    return EXIT_FAILED;
  } finally {
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
  }
}

/** `--metrics-port -1` as `--metrics-port=-1` (parseArgs takes a leading '-' for an option). */
function joinNegativeValues(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i].startsWith('--') && !args[i].includes('=') && i + 1 < args.length && /^-\d+$/.test(args[i + 1])) {
      out.push(`${args[i]}=${args[++i]}`);
    } else {
      out.push(args[i]);
    }
  }
  return out;
}
