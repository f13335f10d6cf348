// The commands of @eddy/connector-mqtt: the installed bin/<name>.js shims call main(name, argv) on the
// compiled code (the `./entry` export); in the repo bin/<name>.ts run the sources directly.
import { runConnector, type ConnectorDefinition } from '@eddy/connector';
import { mqttSink } from './mqtt_sink.ts';
import { mqttSource } from './mqtt_source.ts';

const CONNECTORS: Record<string, ConnectorDefinition> = { 'mqtt-source': mqttSource, 'mqtt-sink': mqttSink };

/** Runs the connector command `name` (exits the process when done, like every connector binary). */
export async function main(name: string, argv: readonly string[]): Promise<number> {
  const def = CONNECTORS[name];
  if (def === undefined) throw new Error(`unknown connector command '${name}'`);
  return runConnector(def, argv);
}
