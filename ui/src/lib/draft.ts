// Note drafts live in the database: saved ~300 ms after the last keystroke and on blur.

export type SaveDraft = (incidentId: number, body: string) => Promise<unknown>;

export class DraftSaver {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private pending: { id: number; body: string } | null = null;
  private saved: { id: number; body: string } | null = null;
  private chain: Promise<void> = Promise.resolve();
  private readonly save: SaveDraft;
  private readonly delayMs: number;
  private readonly onError: (e: unknown) => void;

  constructor(save: SaveDraft, delayMs = 300, onError: (e: unknown) => void = () => {}) {
    this.save = save;
    this.delayMs = delayMs;
    this.onError = onError;
  }

  /** The incident was opened with this draft: it is already in the database. */
  seed(id: number, body: string): void {
    this.saved = { id, body };
  }

  /** The technician typed. A pending draft of another incident is saved at once. */
  input(id: number, body: string): void {
    if (this.pending && this.pending.id !== id) void this.flush();
    this.pending = { id, body };
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, this.delayMs);
  }

  /** Save what is pending now (blur, switching incident, closing). */
  flush(): Promise<void> {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const p = this.pending;
    this.pending = null;
    if (p && !(this.saved && this.saved.id === p.id && this.saved.body === p.body)) {
      this.saved = p;
      // One save at a time, in order: an older draft never lands after a newer one.
      this.chain = this.chain.then(() => this.save(p.id, p.body).then(() => undefined, this.onError));
    }
    return this.chain;
  }

  /** The note was posted: whatever was pending is no longer a draft. */
  cancel(id: number): void {
    if (this.pending?.id === id) {
      if (this.timer !== null) clearTimeout(this.timer);
      this.timer = null;
      this.pending = null;
    }
    this.saved = { id, body: "" };
  }

  hasPending(): boolean {
    return this.pending !== null;
  }
}
