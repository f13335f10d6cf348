// Sensor readings in Azure IoT Operations' payload shape, made for tests that run the Azure
// complex graph (test/graph_exactly_once.test.ts, examples/mqtt-graph): a minute of readings from
// three temperature sensors (°F) and two humidity sensors.
/** A sensor reading in Azure's payload shape, keyed by its sensor. */
export interface Reading { sensor_id: string; time: string; payload: unknown }

/**
 * 3 temperature sensors (°F) and 2 humidity sensors, one reading a second for a minute. Whole
 * seconds put temp-01's readings on the 10-second boundaries (windows (k·10 s − 10 s, k·10 s]);
 * two glitches (9000 °F, -60 °F) are outside the filter's bounds.
 */
export function sensorReadings(): Reading[] {
  const start = Date.parse('2025-01-01T08:00:00.000Z');
  const out: Reading[] = [];
  const sensors = ['temp-01', 'temp-02', 'temp-03', 'hum-01', 'hum-02'];
  for (let s = 0; s < 60; s++) {
    sensors.forEach((id, k) => {
      const time = new Date(start + s * 1000 + k * 111).toISOString();
      const wave = Math.round(Math.sin((s + k * 7) / 5) * 40) / 10;
      let payload: unknown;
      if (id.startsWith('temp')) {
        const value = id === 'temp-02' && s === 17 ? 9000 : id === 'temp-03' && s === 42 ? -60 : 68 + k * 3 + wave;
        payload = { temperature: { value, unit: 'F' } };
      } else {
        payload = { humidity: { value: 45 + (k - 3) * 6 + wave } };
      }
      out.push({ sensor_id: id, time, payload });
    });
  }
  return out;
}

