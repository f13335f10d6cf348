/**
 * Holds the acknowledgements (PUBACK for QoS 1, PUBREC for QoS 2) of received MQTT messages
 * until the cluster stored each message, and sends them in the order the messages arrived (MQTT
 * requires that order). Records of different partitions may be stored out of order: an ack then
 * waits for the ones before it.
 *
 * Ids belong to one connection: after a disconnect the broker sends the unacknowledged messages
 * again, so acks still held for the old connection are dropped (`reset`).
 */
export class UpstreamAcks {
  // FIFO in arrival order; `head` is the first entry not yet sent.
  private entries: Entry[] = [];
  private head = 0;
  private readonly byId = new Map<number, Entry>();
  private epoch = 0;
  private readonly send: (packet: object) => void;

  /** `send` writes an ack packet to the broker. */
  constructor(send: (packet: object) => void) {
    this.send = send;
  }

  /** Messages received and not yet acknowledged upstream. */
  get pending(): number {
    return this.entries.length - this.head;
  }

  /** Whether a message with this id is waiting (a QoS 2 duplicate of it must not be produced again). */
  holds(messageId: number): boolean {
    return this.byId.has(messageId);
  }

  /** Registers a received message; the returned function marks it stored in the cluster. */
  add(messageId: number): () => void {
    const e: Entry = { id: messageId, epoch: this.epoch, stored: false, packet: null };
    this.entries.push(e);
    this.byId.set(messageId, e);
    return () => {
      if (e.epoch !== this.epoch) return; // its connection is gone; the broker resends it
      e.stored = true;
      this.drain();
    };
  }

  /**
   * mqtt.js wants to send this ack now: keeps it until its message is stored. Returns false for a
   * packet this queue does not hold (send it as usual).
   */
  hold(packet: { cmd: string; messageId?: number }): boolean {
    if (packet.messageId === undefined) return false;
    const e = this.byId.get(packet.messageId);
    if (e === undefined || e.packet !== null) return false;
    e.packet = packet;
    this.drain();
    return true;
  }

  /** The connection closed: acks not sent yet are void (their messages come again). */
  reset(): void {
    this.epoch++;
    this.entries = [];
    this.head = 0;
    this.byId.clear();
  }

  private drain(): void {
    const list = this.entries;
    while (this.head < list.length) {
      const e = list[this.head];
      if (!e.stored || e.packet === null) break;
      this.head++;
      this.byId.delete(e.id);
      this.send(e.packet);
    }
    // Compact now and then instead of shifting per message.
    if (this.head > 1024 && this.head * 2 > list.length) {
      this.entries = list.slice(this.head);
      this.head = 0;
    }
  }
}

interface Entry {
  id: number;
  epoch: number;
  stored: boolean;
  packet: object | null;
}
