// Azure's sample graph definitions (azure/, unmodified) name modules that exist and provide the operator types they are
// used as, and every declared parameter default is accepted by its module's init.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { ModuleOperatorType } from '@eddy/dataflow';
import { GRAPHS_DIR, moduleNames } from './build.ts';
import { MODULE_VERSION, compiledModule, openOperator, refusal } from './harness.ts';

interface GraphDoc {
  moduleConfigurations?: Array<{ name: string; parameters: Record<string, { name: string; default?: string; required?: boolean }> }>;
  operations: Array<{ operationType: string; name: string; module?: string }>;
  connections: Array<{ from: { name: string; arm?: string }; to: { name: string } }>;
}

for (const file of ['graph-simple.yaml', 'graph-complex.yaml', 'graph.dataflow.yaml']) {
  test(`${file}: modules exist, provide their operator types and accept the declared defaults`, async () => {
    const doc = parse(readFileSync(path.join(GRAPHS_DIR, 'azure', file), 'utf8')) as GraphDoc;
    const names = new Set(doc.operations.map((o) => o.name));
    for (const c of doc.connections) {
      assert.ok(names.has(c.from.name) && names.has(c.to.name), `${c.from.name} -> ${c.to.name}`);
      if (c.from.arm !== undefined) assert.ok(['True', 'False'].includes(c.from.arm));
    }
    for (const op of doc.operations.filter((o) => o.module)) {
      // Azure's references carry a repository path; Eddy's registry knows the last segment
      const [module, version] = op.module!.split('/').pop()!.split(':');
      assert.equal(version, MODULE_VERSION);
      assert.ok(moduleNames().includes(module), `module ${module}`);
      const type = op.operationType as ModuleOperatorType;
      assert.ok((await compiledModule(module)).provides.has(type), `${module} provides ${type}`);
      const config = doc.moduleConfigurations?.find((c) => c.name === op.name);
      const params = Object.fromEntries(Object.values(config?.parameters ?? {}).map((p) => [p.name, p.default ?? '']));
      const { op: instance } = await openOperator(module, type, { operation: op.name });
      assert.equal(refusal(instance, params), null, op.name);
    }
  });
}
