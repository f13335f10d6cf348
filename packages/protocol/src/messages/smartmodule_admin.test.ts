import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decode, encode } from '../codec/schema.ts';
import { Apis } from '../apis.ts';
import { apiVersionOf } from '../api_spec.ts';
import { CreateSmartModuleRequest, CreateSmartModuleRequestV0, ListSmartModulesResponse, ListSmartModulesResponseV0 } from './smartmodule_admin.ts';
import type { ListSmartModulesResponse as ListResponse } from './smartmodule_admin.ts';

const hex = (s: string): string => Buffer.from(s).toString('hex');
const V0_REQUEST = '0001' + hex('m') + '0001' + hex('1') + '0000' + '00000002' + '0061';

test('golden bytes: CreateSmartModule v1 carries the ABI version as an optional i16 after the wasm', () => {
  const req = { name: 'm', version: '1', description: '', wasm: Buffer.from([0x00, 0x61]) };
  assert.equal(encode(CreateSmartModuleRequest, { ...req, abiVersion: 21 }).toBuffer().toString('hex'), V0_REQUEST + '01' + '0015');
  assert.equal(encode(CreateSmartModuleRequest, req).toBuffer().toString('hex'), V0_REQUEST + '00', 'absent = none');
  assert.equal(decode(CreateSmartModuleRequest, Buffer.from(V0_REQUEST + '01' + '0015', 'hex')).abiVersion, 21);
});

test('CreateSmartModule v0 keeps its bytes and decodes to the same model with no ABI version', () => {
  const req = { name: 'm', version: '1', description: '', wasm: Buffer.from([0x00, 0x61]), abiVersion: 21 };
  assert.equal(encode(CreateSmartModuleRequestV0, req).toBuffer().toString('hex'), V0_REQUEST, 'v0 cannot carry it');
  const back = decode(CreateSmartModuleRequestV0, Buffer.from(V0_REQUEST, 'hex'));
  assert.equal(back.abiVersion, null);
  assert.equal(back.name, 'm');
});

test('ListSmartModules: v1 round-trips the ABI version, v0 reads it as unset', () => {
  const res: ListResponse = {
    errorCode: 0, errorMessage: null,
    modules: [{ name: 'old', spec: { version: '1', description: '', exports: ['map'], kind: 'smartmodule', operators: [], sizeBytes: 9, sha256: 'ab', createdMs: 5, abiVersion: 21 } }],
  };
  const v1 = encode(ListSmartModulesResponse, res).toBuffer();
  assert.equal(decode(ListSmartModulesResponse, v1).modules[0].spec.abiVersion, 21);
  const v0 = encode(ListSmartModulesResponseV0, res).toBuffer();
  assert.equal(v0.length, v1.length - 3, 'v0 has no option flag nor i16');
  const old = decode(ListSmartModulesResponseV0, v0).modules[0];
  assert.equal(old.spec.abiVersion, null);
  assert.equal(old.spec.sha256, 'ab');
});

test('both APIs speak v0 and v1, v1 being the layout with the ABI version', () => {
  for (const api of [Apis.CreateSmartModule, Apis.ListSmartModules]) {
    assert.equal(api.minVersion, 0);
    assert.equal(api.maxVersion, 1);
  }
  assert.equal(apiVersionOf(Apis.CreateSmartModule, 1)!.request, CreateSmartModuleRequest);
  assert.equal(apiVersionOf(Apis.CreateSmartModule, 0)!.request, CreateSmartModuleRequestV0);
  assert.equal(apiVersionOf(Apis.ListSmartModules, 0)!.response, ListSmartModulesResponseV0);
});
