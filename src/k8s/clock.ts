// Time as a dependency: controllers, queues and leader election take a Clock so tests can
// drive time by hand (a fake clock started at a random instant shows any use of the real one).

/** Cancels a timer started by `Clock.setTimer`. */
export type CancelTimer = () => void;

export interface Clock {
  now(): Date;
  /** Calls `fn` once after `ms` milliseconds of this clock's time. */
  setTimer(fn: () => void, ms: number): CancelTimer;
}

/** The wall clock. Timers are unref'd so a pending retry never keeps the process alive. */
export const realClock: Clock = {
  now: () => new Date(),
  setTimer(fn, ms) {
    const timer = setTimeout(fn, Math.max(0, ms));
    timer.unref();
    return () => clearTimeout(timer);
  },
};

/** Resolves after `ms` of the clock's time, or rejects with the signal's reason when aborted. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason ?? new Error('aborted'));
      return;
    }
    const onAbort = (): void => {
      cancel();
      reject(signal?.reason ?? new Error('aborted'));
    };
    const cancel = clock.setTimer(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

interface FakeTimer {
  at: number;
  seq: number;
  fn: () => void;
}

/** A clock that only moves when `advance` is called; timers fire in due order. */
export class FakeClock implements Clock {
  private current: number;
  private timers: FakeTimer[] = [];
  private seq = 0;

  constructor(start: Date | number = FakeClock.randomStart()) {
    this.current = typeof start === 'number' ? start : start.getTime();
  }

  /** A random instant between 2001 and 2033, whole milliseconds. */
  static randomStart(): number {
    return Date.UTC(2001, 0, 1) + Math.floor(Math.random() * 1_000_000_000_000);
  }

  now(): Date {
    return new Date(this.current);
  }

  setTimer(fn: () => void, ms: number): CancelTimer {
    const timer: FakeTimer = { at: this.current + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** Number of timers not yet fired. */
  pendingTimers(): number {
    return this.timers.length;
  }

  /** Moves time forward, firing every timer that falls due, earliest first. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.current = Math.max(this.current, due.at);
      due.fn();
    }
    this.current = target;
  }
}
