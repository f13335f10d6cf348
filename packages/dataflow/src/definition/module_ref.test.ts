import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatModuleRef, parseModuleRef, providedOperators, registryModuleRef, registryModuleRefOf } from './module_ref.ts';
import { parentPath, pathStep } from './diagnostics.ts';

test('module references are name:version, the version after the last colon', () => {
  assert.deepEqual(parseModuleRef('temperature:1.0.0'), { name: 'temperature', version: '1.0.0' });
  assert.deepEqual(parseModuleRef('azure-samples/explore-iot-operations/window:1.0.0'), { name: 'window', version: '1.0.0', path: 'azure-samples/explore-iot-operations' });
  assert.deepEqual(parseModuleRef('registry.io:5000/temp:2'), { name: 'temp', version: '2', path: 'registry.io:5000' });
  for (const bad of ['temperature', 'temperature:', ':1.0', 'registry.io:5000/temp', 'a b:1', 'a:1 ', 'a/:1', '/a:1']) assert.equal(parseModuleRef(bad), undefined, bad);
});

test('a reference resolves by its last path segment: Azure\'s references name Eddy\'s registry modules', () => {
  assert.equal(registryModuleRefOf('azure-samples/explore-iot-operations/temperature:1.0.0'), 'temperature:1.0.0');
  assert.equal(registryModuleRefOf('ghcr.io:443/a/b/window:2.1'), 'window:2.1');
  assert.equal(registryModuleRefOf('temperature:1.0.0'), 'temperature:1.0.0');
  assert.equal(registryModuleRefOf('not a ref'), 'not a ref');
  assert.equal(registryModuleRef({ name: 'x', version: '1', path: 'p/q' }), 'x:1');
});

test('parseModuleRef inverts formatModuleRef', () => {
  const part = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,10}$/);
  fc.assert(
    fc.property(fc.array(part, { minLength: 1, maxLength: 3 }), part, (segs, version) => {
      const ref = segs.length === 1 ? { name: segs[0], version } : { name: segs[segs.length - 1], version, path: segs.slice(0, -1).join('/') };
      assert.deepEqual(parseModuleRef(formatModuleRef(ref)), ref);
    }),
  );
});

test('providedOperators reads the ABI exports', () => {
  assert.deepEqual([...providedOperators(['memory', 'alloc', 'dealloc', 'graph_abi_version', 'graph_init', 'graph_map', 'graph_delay'])].sort(), ['delay', 'map']);
  assert.deepEqual([...providedOperators(['graph_filter', 'graph_branch', 'graph_accumulate', 'graph_source'])].sort(), ['accumulate', 'branch', 'filter']);
  assert.equal(providedOperators([]).size, 0);
});

test('YAML paths: steps and parents', () => {
  const p = pathStep(pathStep(pathStep(pathStep('', 'moduleConfigurations'), 2), 'parameters'), 'a.b');
  assert.equal(p, 'moduleConfigurations[2].parameters["a.b"]');
  assert.equal(parentPath(p), 'moduleConfigurations[2].parameters');
  assert.equal(parentPath('moduleConfigurations[2]'), 'moduleConfigurations');
  assert.equal(parentPath('metadata.$schema'), 'metadata');
  assert.equal(parentPath('operations'), '');
});
