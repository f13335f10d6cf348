// Graph definitions for tests, in Azure's YAML shape, from lists of operations and connections.

/** [operationType, name, module?] */
export type OperationRow = readonly [type: string, name: string, module?: string];
/** [from, to, arm?] */
export type ConnectionRow = readonly [from: string, to: string, arm?: string];

export function graphYaml(name: string, operations: readonly OperationRow[], connections: readonly ConnectionRow[]): string {
  return [
    `metadata: { name: ${JSON.stringify(name)}, version: "1.0.0" }`,
    'moduleRequirements: { apiVersion: "1.1.0", runtimeVersion: "1.1.0" }',
    'operations:',
    ...operations.map(([t, n, m]) => `  - { operationType: "${t}", name: ${JSON.stringify(n)}${m ? `, module: "${m}"` : ''} }`),
    'connections:',
    ...connections.map(([f, t, arm]) => `  - { from: { name: ${JSON.stringify(f)}${arm ? `, arm: "${arm}"` : ''} }, to: { name: ${JSON.stringify(t)} } }`),
  ].join('\n') + '\n';
}

/**
 * source → map "pass" (ident:1.0.0) → filter "odd" (odd:2.0.0) → sink, one key a line (tests
 * assert diagnostics at its line:col, so keep the layout).
 */
export function identOddYaml(name: string): string {
  return `metadata:
  name: ${JSON.stringify(name)}
  version: "1.0.0"
moduleRequirements:
  apiVersion: "1.1.0"
  runtimeVersion: "1.1.0"
operations:
  - operationType: "source"
    name: "source"
  - operationType: "map"
    name: "pass"
    module: "ident:1.0.0"
  - operationType: "filter"
    name: "odd"
    module: "odd:2.0.0"
  - operationType: "sink"
    name: "sink"
connections:
  - from: { name: "source" }
    to: { name: "pass" }
  - from: { name: "pass" }
    to: { name: "odd" }
  - from: { name: "odd" }
    to: { name: "sink" }
`;
}
