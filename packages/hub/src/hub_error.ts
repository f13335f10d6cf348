// The Hub's user-facing failure: one line that says what is wrong and, where it helps, what to do.

export class HubError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HubError';
  }
}
