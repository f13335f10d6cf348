import type pg from 'pg';

/** What CopyIn uses of pg's connection (the copy calls are not in @types/pg). */
interface CopyConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  sendCopyFail(msg: string): void;
}

/**
 * One simple-query message for pg's client queue whose `COPY … FROM STDIN` statements get
 * `data[0]`, `data[1]`, … in order. Several statements in one message run as one transaction
 * (PostgreSQL's implicit transaction), in one round trip.
 */
export class CopyIn implements pg.Submittable {
  private readonly text: string;
  private readonly data: readonly Buffer[];
  private next = 0;
  private settled = false;
  private resolve: () => void = () => {};
  private reject: (err: Error) => void = () => {};
  readonly done: Promise<void>;

  constructor(text: string, data: readonly Buffer[]) {
    this.text = text;
    this.data = data;
    this.done = new Promise<void>((resolve, reject) => { this.resolve = resolve; this.reject = reject; });
  }

  submit(connection: pg.Connection): void {
    (connection as unknown as CopyConnection).query(this.text);
  }

  handleCopyInResponse(connection: CopyConnection): void {
    const chunk = this.data[this.next++];
    if (chunk === undefined) { connection.sendCopyFail('eddy: no data for this COPY'); return; }
    connection.sendCopyFromChunk(chunk);
    connection.endCopyFrom();
  }

  /** A server error (ReadyForQuery follows, pg no longer routes it here) or a dead connection. */
  handleError(err: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.reject(err);
  }

  handleReadyForQuery(): void {
    if (this.settled) return;
    this.settled = true;
    this.resolve();
  }

  handleCommandComplete(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}
}
