#!/usr/bin/env node
// The `mqtt-sink` connector from the TypeScript sources, for the repo (Node 26 strips types). Installed
// copies run bin/mqtt-sink.js, which runs the compiled code.
import { runConnector } from '@eddy/connector';
import { mqttSink } from '../src/mqtt_sink.ts';

await runConnector(mqttSink, process.argv);
