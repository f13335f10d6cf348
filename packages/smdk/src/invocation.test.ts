import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { smdkCommand } from './invocation.ts';

test('hints say `smdk` when it is on PATH, `npx smdk` when only a project has it', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'smdk-path-'));
  try {
    const global = path.join(tmp, 'bin');
    const local = path.join(tmp, 'proj', 'node_modules', '.bin');
    for (const dir of [global, local]) {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'smdk'), '#!/bin/sh\n', { mode: 0o755 });
    }
    assert.equal(smdkCommand({ PATH: global }), 'smdk');
    assert.equal(smdkCommand({ PATH: [local, path.join(tmp, 'none')].join(path.delimiter) }), 'npx smdk');
    assert.equal(smdkCommand({}), 'npx smdk');
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
