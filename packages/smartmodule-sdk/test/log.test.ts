// log() reaches the host through WASI fd_write (stderr), and only modules that call it import WASI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SmartEngine, type SmartModuleLogLine } from '@eddy/smartengine';
import { buildIfStale } from '../src/build.ts';
import { encodeRecords, str } from './fluvio_codec.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

test('log() writes a line to the host log, tagged with the module', async () => {
  const dir = path.join(here, '.build', 'log-module');
  mkdirSync(path.join(dir, 'assembly'), { recursive: true });
  writeFileSync(
    path.join(dir, 'assembly', 'index.ts'),
    `import { SmartModuleRecord, log } from "@eddy/smartmodule-sdk";
@filter
function keep(record: SmartModuleRecord): bool {
  log("saw " + record.valueString() + " at " + record.offset.toString());
  return true;
}
`,
  );
  const { wasm } = await buildIfStale({ projectDir: dir, sources: [path.join(dir, 'assembly'), path.join(here, '..', 'assembly')] });
  const imports = WebAssembly.Module.imports(await WebAssembly.compile(wasm)).map((i) => `${i.module}.${i.name}`).sort();
  assert.deepEqual(imports, ['env.copy_records', 'wasi_snapshot_preview1.fd_write']);

  const lines: SmartModuleLogLine[] = [];
  const engine = new SmartEngine({ workers: 1, logger: (line) => lines.push(line) });
  try {
    const chain = await engine.chain([{ name: 'logger', wasm }]);
    const out = await chain.process({ baseOffset: 40, records: encodeRecords([{ value: str('x') }, { value: str('ü') }]) });
    assert.equal(out.count, 2);
    await chain.close();
  } finally {
    await engine.close();
  }
  assert.deepEqual(lines.map((l) => [l.module, l.stream, l.text]), [
    ['logger', 'stderr', 'saw x at 40'],
    ['logger', 'stderr', 'saw ü at 41'],
  ]);
});
