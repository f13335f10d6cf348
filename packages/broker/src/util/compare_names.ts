// Name order for listings: UTF-16 code-unit order, as Kafka and Fluvio list names. Not
// localeCompare: that loads ICU's collator (~3 MB of RSS in an idle broker) and its order
// depends on the machine's locale.
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
