#!/usr/bin/env node
// The `mqtt-source` connector. Node >= 24 runs this TypeScript file directly (type stripping).
import { runConnector } from '@eddy/connector';
import { mqttSource } from '../src/mqtt_source.ts';

await runConnector(mqttSource, process.argv);
