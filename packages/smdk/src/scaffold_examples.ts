// What each scaffold does before the author changes it (the SDK's templates/README.md, and
// Fluvio's smdk templates, say the same): the generated project's own test and smdk's tests
// both check these.

export interface ScaffoldExample {
  /** Test records, one per line of `smdk test --file`. */
  input: string[];
  /** `-e key=value` parameters. */
  params?: Record<string, string>;
  /** Run with -k: outputs are "[key] value" lines. */
  keyValue?: boolean;
  output: string[];
}

export const SCAFFOLD_EXAMPLES = {
  filter: {
    // keeps values containing "a"
    plain: { input: ['apple', 'kiwi', 'grape'], output: ['apple', 'grape'] },
    // keeps values containing `key`
    params: { input: ['apple', 'kiwi', 'melon'], params: { key: 'e' }, output: ['apple', 'melon'] },
  },
  map: {
    // doubles integers
    plain: { input: ['1', '21', '-4'], output: ['2', '42', '-8'] },
    // multiplies by `factor`
    params: { input: ['1', '21', '-4'], params: { factor: '3' }, output: ['3', '63', '-12'] },
  },
  'filter-map': {
    // keeps even integers, halved
    plain: { input: ['2', '3', '10'], output: ['1', '5'] },
    // keeps multiples of `divisor`, divided
    params: { input: ['3', '4', '9'], params: { divisor: '3' }, output: ['1', '3'] },
  },
  'array-map': {
    // one record per element of a JSON array
    plain: { input: ['["a",1,{"b":true}]'], output: ['"a"', '1', '{"b":true}'] },
    // the same, keyed by `key`
    params: { input: ['["a",1]'], params: { key: 'k' }, keyValue: true, output: ['[k] "a"', '[k] 1'] },
  },
  aggregate: {
    // running sum of integers
    plain: { input: ['1', '2', '3'], output: ['1', '3', '6'] },
    // running sum of integers times `scale`
    params: { input: ['1', '2', '3'], params: { scale: '10' }, output: ['10', '30', '60'] },
  },
} as const satisfies Record<string, { plain: ScaffoldExample; params: ScaffoldExample }>;

/** The `smdk test` arguments (after --file/--stdin) an example runs with. */
export function exampleArgs(example: ScaffoldExample): string[] {
  const args = Object.entries(example.params ?? {}).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  if (example.keyValue) args.push('-k');
  return args;
}
