import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExampleRunner } from '../harness.ts';

test('map-json converts value.temperature from Celsius to Fahrenheit', async () => {
  const sm = await ExampleRunner.open('map-json');
  try {
    const input = [
      '{"topic":"sensors","value":{"temperature":100,"humidity":40}}',
      '{"value":{"temperature":-40}}',
      '{"value":{"temperature":36.6},"id":"s\\u00e9nsor \\"7\\""}',
      '{"value":{"pressure":1013}}',
      'not json',
    ];
    const out = await sm.run(input);
    assert.equal(out.error, undefined);
    const parsed = out.values.slice(0, 3).map((v) => JSON.parse(v));
    assert.deepEqual(parsed[0], { topic: 'sensors', value: { temperature_fahrenheit: 212, original_celsius: 100 } });
    assert.deepEqual(parsed[1], { value: { temperature_fahrenheit: -40, original_celsius: -40 } });
    assert.equal(parsed[2].id, 'sénsor "7"');
    assert.equal(parsed[2].value.original_celsius, 36.6);
    assert.equal(parsed[2].value.temperature_fahrenheit, (36.6 * 9) / 5 + 32);
    // compact output, as JSON.stringify writes it
    assert.equal(out.values[0], '{"topic":"sensors","value":{"temperature_fahrenheit":212,"original_celsius":100}}');
    // messages without a Celsius temperature pass through untouched
    assert.equal(out.values[3], input[3]);
    assert.equal(out.values[4], input[4]);
  } finally {
    await sm.close();
  }
});
