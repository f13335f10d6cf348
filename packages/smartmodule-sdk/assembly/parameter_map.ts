// Named string parameters kept in the order the host sent them: the base of both halves'
// parameter types (SmartModule `Params`, graph `Parameters`).

export class ParameterMap {
  private map: Map<string, string> = new Map<string, string>();
  private order: string[] = [];

  /** The value of `key`, or null when the parameter was not given. */
  get(key: string): string | null {
    return this.map.has(key) ? this.map.get(key) : null;
  }

  /** The value of `key`, or `fallback` when the parameter was not given. */
  getOr(key: string, fallback: string): string {
    return this.map.has(key) ? this.map.get(key) : fallback;
  }

  has(key: string): bool {
    return this.map.has(key);
  }

  /** Names in the order the host sent them. */
  keys(): string[] {
    return this.order.slice(0);
  }

  get size(): i32 {
    return this.order.length;
  }

  /** Adds or replaces a parameter (the subclasses' `set`, which returns their own type). */
  protected put(key: string, value: string): void {
    if (!this.map.has(key)) this.order.push(key);
    this.map.set(key, value);
  }
}
