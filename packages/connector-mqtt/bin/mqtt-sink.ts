#!/usr/bin/env node
// The `mqtt-sink` connector. Node >= 24 runs this TypeScript file directly (type stripping).
import { runConnector } from '@eddy/connector';
import { mqttSink } from '../src/mqtt_sink.ts';

await runConnector(mqttSink, process.argv);
