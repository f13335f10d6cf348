/** A value given on the command line that cannot be understood. The message names what was wrong. */
export class ParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ParseError';
  }
}
