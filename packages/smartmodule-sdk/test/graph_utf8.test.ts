// Payload, topic and state store text decoded in a graph operator: invalid UTF-8 becomes U+FFFD
// exactly as Node's decoder (WHATWG) makes it, never unpaired surrogates.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { compileOperatorModule } from '@eddy/dataflow';
import { buildSmartModule } from '../src/build.ts';
import { batchOf, openOperatorFrom } from '../../../examples/graphs/harness.ts';

let tmp: string;
before(() => {
  // inside the repository, so asc finds this worktree's SDK through its node_modules
  const cache = path.join(import.meta.dirname, '..', '..', '..', 'node_modules', '.cache');
  fs.mkdirSync(cache, { recursive: true });
  tmp = fs.mkdtempSync(path.join(cache, 'sdk-graph-utf8-'));
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

// A map that writes back the payload and topic as it decoded them, plus a state store value.
const ECHO = `import { Message, stateStore } from "@eddy/smartmodule-sdk/graph";
@map_operator
function echo(input: Message): Message {
  const stored = stateStore.get("k");
  return input.toBuilder().setPayloadString(input.payloadString() + "|" + input.topic() + "|" + (stored === null ? "" : stored)).build();
}
`;

test('invalid UTF-8 decodes to U+FFFD as WHATWG decoding does (payload, topic, state store)', async () => {
  const dir = path.join(tmp, 'echo');
  fs.mkdirSync(path.join(dir, 'assembly'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'assembly/index.ts'), ECHO);
  const { wasm } = await buildSmartModule({ projectDir: dir });
  const { op, host } = openOperatorFrom(compileOperatorModule('echo:1.0.0', new Uint8Array(wasm)), 'map');
  const cases = [
    Buffer.from([0x61, 0xff, 0x62]), // a byte that never starts a sequence
    Buffer.from([0xe2, 0x82]), // truncated 3-byte sequence at the end
    Buffer.from([0xed, 0xa0, 0x80]), // an encoded surrogate
    Buffer.from([0xf0, 0x9f, 0x98, 0x80, 0xc3, 0x28]), // a valid emoji, then a broken 2-byte sequence
    Buffer.from([0xc0, 0xaf, 0xf4, 0x90, 0x80, 0x80]), // overlong, then above U+10FFFF
    Buffer.from('plain ascii and é, 漢字', 'utf8'),
  ];
  host.seed('k', '');
  host.state.set(Buffer.from('k'), Buffer.from([0x80, 0x41]));
  for (const bytes of cases) {
    op.init({});
    const out = op.map(batchOf([{ payload: bytes, topic: Buffer.concat([Buffer.from('t'), Buffer.from([0xfe])]).toString('latin1') }])).decode(0);
    const text = out.payload.toString('utf8');
    const [payload, , stored] = text.split('|');
    assert.equal(payload, bytes.toString('utf8'), bytes.toString('hex'));
    assert.equal(stored, '\ufffdA');
    assert.ok(!/[\ud800-\udfff]/u.test(payload.replace(/[\ud800-\udbff][\udc00-\udfff]/g, '')), 'no lone surrogates');
  }
});
