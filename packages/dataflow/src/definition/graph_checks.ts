// The rules a well-shaped definition must still satisfy to run (names, one source and one sink,
// inputs, branch arms, no cycles, modules, parameters), and the plan built when it does.
import type { Diagnostics } from './diagnostics.ts';
import { pathStep } from './diagnostics.ts';
import { formatModuleRef, parseModuleRef } from './module_ref.ts';
import type {
  BranchArm,
  GraphDefinition,
  GraphPlan,
  ModuleRef,
  OperationType,
  OperatorType,
  PlanOperation,
  PlanOutput,
  ValidateOptions,
} from './types.ts';

// Names are quoted as JSON strings so that a name holding a newline cannot break the one-line format.
const q = (s: string): string => JSON.stringify(s);

const NEEDS_MODULE: ReadonlySet<OperationType> = new Set(['map', 'filter', 'branch', 'accumulate', 'delay']);
const TAKES_SEVERAL_INPUTS: ReadonlySet<OperationType> = new Set(['concatenate', 'sink']);

interface Edge {
  from: number;
  to: number;
  arm?: BranchArm;
  /** Index in `connections`. */
  k: number;
}

/** Runs every graph rule, reporting into `diag`; returns the plan when nothing was wrong. */
export function checkGraph(def: GraphDefinition, diag: Diagnostics, opts: ValidateOptions = {}): GraphPlan | undefined {
  const errorsBefore = diag.errors.length;
  const ops = def.operations;
  const conns = def.connections;
  const opPath = (i: number) => `operations[${i}]`;

  // Names: the first declaration wins; later duplicates take no further part.
  const byName = new Map<string, number>();
  for (let i = 0; i < ops.length; i++) {
    const first = byName.get(ops[i].name);
    if (first !== undefined) diag.error(`${opPath(i)}.name`, `duplicate operation name ${q(ops[i].name)} (first declared at operations[${first}])`);
    else byName.set(ops[i].name, i);
  }
  const live = (i: number) => byName.get(ops[i].name) === i;

  // Modules.
  const modules: (ModuleRef | undefined)[] = ops.map(() => undefined);
  const resolved = new Map<string, ReadonlySet<OperatorType> | undefined>();
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    const text = op.module ?? '';
    if (NEEDS_MODULE.has(op.operationType)) {
      if (text === '') {
        diag.error(opPath(i), `missing required field "module": a ${op.operationType} operation runs a module ("name:version")`);
        continue;
      }
      const ref = parseModuleRef(text);
      if (ref === undefined) {
        diag.error(`${opPath(i)}.module`, `${q(text)} is not a module reference of the form name:version`);
        continue;
      }
      modules[i] = ref;
      if (opts.resolveModule !== undefined) {
        if (!resolved.has(text)) resolved.set(text, opts.resolveModule(ref));
        const provides = resolved.get(text);
        if (provides === undefined) diag.error(`${opPath(i)}.module`, `module ${q(formatModuleRef(ref))} not found`);
        else if (!provides.has(op.operationType as OperatorType)) {
          const has = [...provides].sort().join(', ');
          diag.error(
            `${opPath(i)}.operationType`,
            `module ${q(formatModuleRef(ref))} does not provide ${op.operationType} (${has === '' ? 'it provides no operators' : `it provides ${has}`})`,
          );
        }
      }
    } else if ((op.operationType === 'source' || op.operationType === 'sink') && text !== '') {
      diag.error(`${opPath(i)}.module`, `a ${op.operationType} takes no module`);
    }
  }

  // Exactly one source and one sink.
  const ends = { source: -1, sink: -1 };
  for (const kind of ['source', 'sink'] as const) {
    for (let i = 0; i < ops.length; i++) {
      if (ops[i].operationType !== kind || !live(i)) continue;
      if (ends[kind] === -1) ends[kind] = i;
      else diag.error(`${opPath(i)}.operationType`, `a second ${kind} ${q(ops[i].name)}: a graph has exactly one (the first is ${q(ops[ends[kind]].name)})`);
    }
    if (ends[kind] === -1) diag.error('operations', `the graph has no ${kind} (an operation with operationType: ${kind})`, 'key');
  }

  // Connections.
  const edges: Edge[] = [];
  const inputs: Edge[][] = ops.map(() => []);
  const outputs: Edge[][] = ops.map(() => []);
  const named = new Set<string>(); // operations some connection leads to, valid or not
  const seen = new Map<string, number>();
  for (let k = 0; k < conns.length; k++) {
    const c = conns[k];
    const at = `connections[${k}]`;
    named.add(c.to.name);
    const from = byName.get(c.from.name);
    const to = byName.get(c.to.name);
    if (from === undefined) diag.error(`${at}.from.name`, `unknown operation ${q(c.from.name)}`);
    if (to === undefined) diag.error(`${at}.to.name`, `unknown operation ${q(c.to.name)}`);
    if (from === undefined || to === undefined) continue;
    const fromType = ops[from].operationType;
    const toType = ops[to].operationType;
    if (toType === 'source') {
      diag.error(`${at}.to.name`, `source ${q(c.to.name)} cannot have inputs`);
      continue;
    }
    if (fromType === 'sink') {
      diag.error(`${at}.from.name`, `sink ${q(c.from.name)} cannot have outputs`);
      continue;
    }
    let arm: BranchArm | undefined = c.from.arm ?? undefined;
    if (fromType === 'branch' && arm === undefined) {
      diag.error(`${at}.from`, `a connection from branch ${q(c.from.name)} needs arm: "True" or "False"`);
    } else if (fromType !== 'branch' && arm !== undefined) {
      diag.error(`${at}.from.arm`, `${q(c.from.name)} is a ${fromType}, not a branch: only a branch's connections take an arm`);
      arm = undefined;
    }
    const key = JSON.stringify([from, arm ?? null, to]);
    const dup = seen.get(key);
    if (dup !== undefined) {
      diag.error(at, `duplicate of connections[${dup}] (${q(c.from.name)} → ${q(c.to.name)})`);
      continue;
    }
    seen.set(key, k);
    if (inputs[to].length > 0 && !TAKES_SEVERAL_INPUTS.has(toType)) {
      const prev = inputs[to][0];
      diag.error(
        `${at}.to.name`,
        `${q(c.to.name)} (${toType}) already has an input from ${q(ops[prev.from].name)} (connections[${prev.k}]): only concatenate and sink take several inputs`,
      );
    }
    const e: Edge = arm === undefined ? { from, to, k } : { from, to, arm, k };
    edges.push(e);
    inputs[to].push(e);
    outputs[from].push(e);
  }

  // Every operation but the source is fed; every branch routes both arms.
  for (let i = 0; i < ops.length; i++) {
    if (!live(i)) continue;
    const op = ops[i];
    if (op.operationType !== 'source' && !named.has(op.name)) diag.error(`${opPath(i)}.name`, `${q(op.name)} has no input: no connection leads to it`);
    if (op.operationType === 'branch') {
      for (const arm of ['True', 'False'] as const) {
        if (!outputs[i].some((e) => e.arm === arm)) diag.error(`${opPath(i)}.name`, `branch ${q(op.name)} has no ${q(arm)} arm: no connection leaves it with arm: ${q(arm)}`);
      }
    }
  }

  const cyclic = reportCycles(ops.length, edges, (i) => ops[i].name, diag);

  // Operations whose output never reaches the sink: legal, but their work is dropped.
  if (ends.sink !== -1 && !cyclic) {
    const reaches = new Uint8Array(ops.length);
    const stack = [ends.sink];
    reaches[ends.sink] = 1;
    while (stack.length > 0) {
      for (const e of inputs[stack.pop()!]) if (reaches[e.from] === 0) { reaches[e.from] = 1; stack.push(e.from); }
    }
    for (let i = 0; i < ops.length; i++) {
      if (live(i) && reaches[i] === 0) diag.warn(`${opPath(i)}.name`, `${q(ops[i].name)} has no path to the sink ${q(ops[ends.sink].name)}: its output is dropped`);
    }
  }

  const params = resolveParams(def, byName, diag, opts.params ?? {});

  if (diag.errors.length > errorsBefore) return undefined;
  const order = topologicalOrder(ops.length, inputs, outputs, ends.sink);
  const planOps: PlanOperation[] = order.map((i) => {
    const op = ops[i];
    const p: PlanOperation = {
      name: op.name,
      type: op.operationType,
      params: params.get(op.name) ?? {},
      inputs: inputs[i].map((e) => ops[e.from].name),
      outputs: outputs[i].map((e): PlanOutput => (e.arm === undefined ? { to: ops[e.to].name } : { to: ops[e.to].name, arm: e.arm })),
    };
    const m = modules[i];
    if (m !== undefined) p.module = m.path === undefined ? { name: m.name, version: m.version } : { name: m.name, version: m.version, path: m.path };
    return p;
  });
  return {
    metadata: { ...def.metadata },
    moduleRequirements: structuredClone(def.moduleRequirements),
    source: ops[ends.source].name,
    sink: ops[ends.sink].name,
    operations: planOps,
  };
}

/** Reports each cycle once (one per strongly connected component), at the connection closing it. */
function reportCycles(n: number, edges: Edge[], name: (i: number) => string, diag: Diagnostics): boolean {
  const out: Edge[][] = Array.from({ length: n }, () => []);
  for (const e of edges) out[e.from].push(e);
  // Tarjan's algorithm, iterative so deep graphs cannot overflow the stack.
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const components: number[][] = [];
  let next = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    const work: [number, number][] = [[root, 0]];
    index[root] = low[root] = next++;
    stack.push(root);
    onStack[root] = 1;
    while (work.length > 0) {
      const top = work[work.length - 1];
      const v = top[0];
      if (top[1] < out[v].length) {
        const w = out[v][top[1]++].to;
        if (index[w] === -1) {
          index[w] = low[w] = next++;
          stack.push(w);
          onStack[w] = 1;
          work.push([w, 0]);
        } else if (onStack[w] === 1) low[v] = Math.min(low[v], index[w]);
        continue;
      }
      work.pop();
      if (work.length > 0) low[work[work.length - 1][0]] = Math.min(low[work[work.length - 1][0]], low[v]);
      if (low[v] === index[v]) {
        const comp: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = 0;
          comp.push(w);
        } while (w !== v);
        components.push(comp);
      }
    }
  }
  let found = false;
  for (const comp of components) {
    const members = new Set(comp);
    const start = Math.min(...comp);
    const selfLoop = out[start].find((e) => e.to === start);
    if (comp.length === 1 && selfLoop === undefined) continue;
    found = true;
    // Shortest way round from the first-declared member back to itself (BFS inside the component).
    const via = new Map<number, Edge>();
    const queue = [start];
    let closing: Edge | undefined = selfLoop;
    for (let q = 0; q < queue.length && closing === undefined; q++) {
      for (const e of out[queue[q]]) {
        if (!members.has(e.to)) continue;
        if (e.to === start) { closing = e; break; }
        if (!via.has(e.to)) { via.set(e.to, e); queue.push(e.to); }
      }
    }
    const cycle = [start];
    for (let v = closing!.from; v !== start; v = via.get(v)!.from) cycle.splice(1, 0, v);
    cycle.push(start);
    diag.error(`connections[${closing!.k}]`, `closes a cycle: ${cycle.map((i) => `${q(name(i))}`).join(' → ')}`);
  }
  return found;
}

/** Kahn's algorithm; among ready operations the first declared goes first, the sink last. */
function topologicalOrder(n: number, inputs: Edge[][], outputs: Edge[][], sink: number): number[] {
  const pending = inputs.map((l) => l.length);
  const ready: number[] = [];
  for (let i = 0; i < n; i++) if (pending[i] === 0) ready.push(i);
  const order: number[] = [];
  while (ready.length > 0) {
    let pick = -1;
    for (let r = 0; r < ready.length; r++) {
      const v = ready[r];
      if (v === sink && ready.length > 1) continue;
      if (pick === -1 || v < ready[pick]) pick = r;
    }
    const v = ready.splice(pick, 1)[0];
    order.push(v);
    for (const e of outputs[v]) if (--pending[e.to] === 0) ready.push(e.to);
  }
  return order;
}

/**
 * Checks moduleConfigurations and `--param` overrides; returns each configured operation's
 * parameter values by the name the module reads.
 */
function resolveParams(
  def: GraphDefinition,
  byName: Map<string, number>,
  diag: Diagnostics,
  overrides: Record<string, string>,
): Map<string, Record<string, string>> {
  const configs = def.moduleConfigurations ?? [];
  const configOf = new Map<string, number>();
  for (let j = 0; j < configs.length; j++) {
    const c = configs[j];
    const at = `moduleConfigurations[${j}]`;
    if (!byName.has(c.name)) diag.error(`${at}.name`, `unknown operation ${q(c.name)}`);
    else if (configOf.has(c.name)) diag.error(`${at}.name`, `operation ${q(c.name)} is already configured at moduleConfigurations[${configOf.get(c.name)}]`);
    else configOf.set(c.name, j);
    const usedBy = new Map<string, string>();
    for (const [key, p] of Object.entries(c.parameters)) {
      const other = usedBy.get(p.name);
      if (other !== undefined) diag.error(pathStep(pathStep(`${at}.parameters`, key), 'name'), `parameter name ${q(p.name)} is already used by ${q(other)}`);
      else usedBy.set(p.name, key);
    }
  }

  // Override values by configuration index, then YAML key.
  const given = new Map<number, Map<string, string>>();
  for (const [target, value] of Object.entries(overrides)) {
    const where = `--param ${target}`;
    let op: string | undefined;
    let key = '';
    // Operation names may hold dots: try every split, preferring an operation that exists.
    for (let d = target.indexOf('.'); d !== -1; d = target.indexOf('.', d + 1)) {
      if (byName.has(target.slice(0, d))) { op = target.slice(0, d); key = target.slice(d + 1); break; }
    }
    if (op === undefined) {
      const d = target.lastIndexOf('.');
      diag.errorAt(undefined, where, d <= 0 ? 'expected OPERATION.KEY=VALUE' : `unknown operation ${q(target.slice(0, d))}`);
      continue;
    }
    const j = configOf.get(op);
    const params = j === undefined ? {} : configs[j].parameters;
    const declared = Object.keys(params);
    const yamlKey = Object.hasOwn(params, key) ? key : declared.find((k) => params[k].name === key);
    if (j === undefined || yamlKey === undefined) {
      const list = declared.length === 0 ? `${q(op)} declares no parameters` : `declared: ${declared.join(', ')}`;
      diag.errorAt(undefined, where, `unknown parameter ${q(key)} of ${q(op)} (${list})`);
      continue;
    }
    let m = given.get(j);
    if (m === undefined) given.set(j, (m = new Map()));
    m.set(yamlKey, value);
  }

  const values = new Map<string, Record<string, string>>();
  for (const [op, j] of configOf) {
    const out: Record<string, string> = {};
    for (const [key, p] of Object.entries(configs[j].parameters)) {
      const v = given.get(j)?.get(key) ?? p.default;
      if (v !== undefined) out[p.name] = v;
      else if (p.required === true) {
        diag.error(pathStep(`moduleConfigurations[${j}].parameters`, key), `required parameter ${q(p.name)} of ${q(op)} has no default and no value: pass --param ${op}.${key}=VALUE`, 'key');
      }
    }
    values.set(op, out);
  }
  return values;
}
