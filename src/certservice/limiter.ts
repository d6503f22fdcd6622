// Bounds the CMP work the server does at once: at most `active` transactions run, up to `queued`
// more wait their turn, and anything beyond is refused at once (503) instead of piling up
// memory and sockets. A CA that hangs holds a slot only until the per-request CMP timeout.

export class ConcurrencyLimiter {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly active: number,
    private readonly queued: number,
  ) {}

  /** Runs `task` when a slot is free; returns undefined (and runs nothing) when the queue is full. */
  async run<T>(task: () => Promise<T>): Promise<{ value: T } | undefined> {
    if (this.running >= this.active) {
      if (this.waiting.length >= this.queued) return undefined;
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running += 1;
    }
    try {
      return { value: await task() };
    } finally {
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter; otherwise it is freed.
      if (next) next();
      else this.running -= 1;
    }
  }

  get inFlight(): number {
    return this.running;
  }

  get queueLength(): number {
    return this.waiting.length;
  }
}
