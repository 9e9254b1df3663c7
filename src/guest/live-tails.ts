// The tail of what each stream sent in `live=` frames. The blocks stay the record; this
// is what a stream keeps when its block never comes (the guest died or wedged first).

/** What is kept of a stream (its tail): the guest's cap for a block. */
const KEEP = 1 << 20;

export class LiveTails {
  private readonly tails = new Map<string, { chunks: Buffer[]; bytes: number }>();

  /** Adds what stream `name` (`stdout`, `stderr.3`) sent; past twice KEEP, only the last KEEP bytes stay. */
  keep(name: string, data: Buffer): void {
    let kept = this.tails.get(name);
    if (!kept) this.tails.set(name, (kept = { chunks: [], bytes: 0 }));
    kept.chunks.push(data);
    kept.bytes += data.length;
    if (kept.bytes > 2 * KEEP) {
      const tail = Buffer.concat(kept.chunks).subarray(-KEEP);
      kept.chunks = [tail];
      kept.bytes = tail.length;
    }
  }

  /** The streams that sent anything live, in the order they first did. */
  names(): string[] {
    return [...this.tails.keys()];
  }

  text(name: string): string {
    return Buffer.concat(this.tails.get(name)?.chunks ?? []).toString('utf8');
  }

  /** How many bytes of the stream the report holds, at most KEEP. */
  keptBytes(name: string): number {
    return Math.min(this.tails.get(name)?.bytes ?? 0, KEEP);
  }
}
