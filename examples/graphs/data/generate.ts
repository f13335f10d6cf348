// Writes data/sensors.jsonl: one reading a second from three temperature and two humidity
// sensors over one minute (six 10-second windows, 300 lines), deterministic (seeded), with a few
// bad readings the temperature filter drops (a 5000 °C glitch, a -60 °C one).
// Run: npx node examples/graphs/data/generate.ts [out.jsonl] [--start=ISO] [--seconds=60]
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Reading {
  sensor_id: string;
  type: 'temperature' | 'humidity';
  value: number;
  unit: 'C' | '%';
  time: string;
}

/** Mulberry32: small, seeded, same sequence everywhere. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const round1 = (v: number) => Math.round(v * 10) / 10;

export function generate(startMs = Date.UTC(2025, 0, 1, 8, 0, 0), seconds = 60, seed = 7): Reading[] {
  const rnd = random(seed);
  const sensors = [
    { id: 'temp-01', type: 'temperature' as const, base: 21.5, spread: 1.5 },
    { id: 'temp-02', type: 'temperature' as const, base: 23.0, spread: 2.0 },
    { id: 'temp-03', type: 'temperature' as const, base: 19.0, spread: 1.0 },
    { id: 'hum-01', type: 'humidity' as const, base: 45.0, spread: 4.0 },
    { id: 'hum-02', type: 'humidity' as const, base: 52.0, spread: 3.0 },
  ];
  const out: Reading[] = [];
  for (let s = 0; s < seconds; s++) {
    for (const [i, sensor] of sensors.entries()) {
      let value = round1(sensor.base + (rnd() * 2 - 1) * sensor.spread);
      if (sensor.id === 'temp-02' && s === 17) value = 5000; // a sensor glitch, above 3422 °C
      if (sensor.id === 'temp-03' && s === 42) value = -60; // below -40 °C
      out.push({
        sensor_id: sensor.id,
        type: sensor.type,
        value,
        unit: sensor.type === 'temperature' ? 'C' : '%',
        time: new Date(startMs + s * 1000 + i * 37).toISOString(),
      });
    }
  }
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const file = args.find((a) => !a.startsWith('--')) ?? path.join(path.dirname(fileURLToPath(import.meta.url)), 'sensors.jsonl');
  const start = args.find((a) => a.startsWith('--start='))?.slice(8);
  const seconds = Number(args.find((a) => a.startsWith('--seconds='))?.slice(10) ?? 60);
  const startMs = start ? Date.parse(start) : undefined;
  if (startMs !== undefined && Number.isNaN(startMs)) throw new Error(`--start is not a date: ${start}`);
  const lines = generate(startMs, seconds).map((r) => JSON.stringify(r));
  writeFileSync(file, lines.join('\n') + '\n');
  console.log(`wrote ${lines.length} readings to ${file}`);
}
