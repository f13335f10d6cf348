import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { EDDY_VERSION } from './defaults.ts';

// The packages released together under one version (new packages join this list).
const RELEASED = [
  'protocol', 'smartengine', 'dataflow', 'broker', 'client', 'cli', 'smartmodule-sdk', 'smdk',
  'hub', 'connector', 'cdk', 'connector-file', 'connector-http', 'connector-sql', 'connector-mqtt',
];

test('every released package.json carries the product version', () => {
  for (const pkg of RELEASED) {
    const manifest = JSON.parse(readFileSync(new URL(`../../${pkg}/package.json`, import.meta.url), 'utf8')) as { version: string };
    assert.equal(manifest.version, EDDY_VERSION, `packages/${pkg}/package.json`);
  }
});

test('the product version is semantic', () => {
  assert.match(EDDY_VERSION, /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
});
