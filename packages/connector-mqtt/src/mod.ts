// @eddy/connector-mqtt: the mqtt-source and mqtt-sink connectors.
export { mqttSource } from './mqtt_source.ts';
export type { MqttSourceOptions } from './mqtt_source.ts';
export { mqttSink } from './mqtt_sink.ts';
export type { MqttSinkOptions } from './mqtt_sink.ts';
export type { MqttConnectionOptions } from './mqtt_connection.ts';
