// What each scaffold does before the author changes it (Fluvio's smdk templates behave the same
// way): the generated project's own test and smdk's tests both check these.

export interface ScaffoldExample {
  /** Test records, one per line of `smdk test --file`. */
  input: string[];
  /** `-e key=value` parameters for --with-params projects. */
  params?: Record<string, string>;
  output: string[];
}

export const SCAFFOLD_EXAMPLES = {
  // Keeps records whose value contains "a".
  filter: { input: ['apple', 'kiwi', 'grape'], output: ['apple', 'grape'] },
  // Doubles an integer.
  map: { input: ['1', '21', '-4'], output: ['2', '42', '-8'] },
  // Keeps even integers, halved.
  'filter-map': { input: ['2', '3', '10'], output: ['1', '5'] },
  // One record per element of a JSON array.
  'array-map': { input: ['["a",1,{"b":true}]'], output: ['"a"', '1', '{"b":true}'] },
  // Running sum of integers.
  aggregate: { input: ['1', '2', '3'], output: ['1', '3', '6'] },
} as const satisfies Record<string, ScaffoldExample>;
