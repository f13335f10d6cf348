#!/usr/bin/env node
// The `mqtt-source` connector from the TypeScript sources, for the repo (Node 26 strips types). Installed
// copies run bin/mqtt-source.js, which runs the compiled code.
import { runConnector } from '@eddy/connector';
import { mqttSource } from '../src/mqtt_source.ts';

await runConnector(mqttSource, process.argv);
