// The commands of @eddy/connector-file: the installed bin/<name>.js shims call main(name, argv) on the
// compiled code (the `./entry` export); in the repo bin/<name>.ts run the sources directly.
import { runConnector, type ConnectorDefinition } from '@eddy/connector';
import { fileSink } from './file_sink.ts';
import { fileSource } from './file_source.ts';

const CONNECTORS: Record<string, ConnectorDefinition> = { 'file-source': fileSource, 'file-sink': fileSink };

/** Runs the connector command `name` (exits the process when done, like every connector binary). */
export async function main(name: string, argv: readonly string[]): Promise<number> {
  const def = CONNECTORS[name];
  if (def === undefined) throw new Error(`unknown connector command '${name}'`);
  return runConnector(def, argv);
}
