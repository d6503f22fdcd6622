// A TCP proxy between the operator and the CA for the fault suite, on 127.0.0.1 and a random
// port: latency per direction, seeded (deterministic) dropped connections of two kinds, and
// down/up. "before": the connection is closed at accept, the CA never sees the request (this
// must never cost an extra enrolment); "after": the request reaches the CA, its answer is
// thrown away and the connection reset — the answer is lost, the window SPEC §3 names.
// Everything it does is counted.
import net from 'node:net';

export interface ProxyOptions {
  /** Where to forward. */
  target: { host: string; port: number };
  /** Added delay for each chunk, client → CA and CA → client (ms). */
  latencyMs?: { up?: number; down?: number };
  /** Share of connections dropped before forwarding (0..1). */
  dropBefore?: number;
  /** Share of connections whose answer is dropped after the request was forwarded (0..1). */
  dropAfter?: number;
  /** Seed of the drop decisions. */
  seed?: number;
}

export interface ProxyCounts {
  connections: number;
  /** Closed at accept: the CA never saw them. */
  droppedBefore: number;
  /** Forwarded, then reset before any of the answer was returned. */
  droppedAfter: number;
  /** Refused while down. */
  refused: number;
}

/** mulberry32: a small seeded generator, so a run's drops can be replayed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Writes each chunk to `to` after `delayMs`, in order. */
function relay(from: net.Socket, to: net.Socket, delayMs: number, onChunk?: () => boolean): void {
  from.on('data', (chunk: Buffer) => {
    if (onChunk && !onChunk()) return;
    if (delayMs <= 0) {
      if (!to.destroyed) to.write(chunk);
      return;
    }
    setTimeout(() => {
      if (!to.destroyed) to.write(chunk);
    }, delayMs);
  });
  // A clean end follows the delayed data; a broken side breaks the other at once.
  from.on('end', () => {
    setTimeout(() => to.end(), delayMs);
  });
  from.on('close', (hadError) => {
    if (hadError) to.destroy();
  });
}

export class TcpProxy {
  readonly counts: ProxyCounts = { connections: 0, droppedBefore: 0, droppedAfter: 0, refused: 0 };
  private readonly random: () => number;
  private readonly sockets = new Set<net.Socket>();
  private isDown = false;

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
    private options: ProxyOptions,
  ) {
    this.random = seeded(options.seed ?? 1);
  }

  static async start(options: ProxyOptions): Promise<TcpProxy> {
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const proxy = new TcpProxy(server, (server.address() as net.AddressInfo).port, options);
    server.on('connection', (socket) => proxy.accept(socket));
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Changes latency and drop rates from now on (the seed sequence continues). */
  configure(change: Partial<Omit<ProxyOptions, 'target' | 'seed'>>): void {
    this.options = { ...this.options, ...change };
  }

  /** Refuse every connection (reset at once) until up(); open connections are cut too. */
  down(): void {
    this.isDown = true;
    for (const socket of this.sockets) socket.destroy();
  }

  up(): void {
    this.isDown = false;
  }

  private accept(client: net.Socket): void {
    client.on('error', () => undefined);
    if (this.isDown) {
      this.counts.refused += 1;
      client.resetAndDestroy();
      return;
    }
    this.counts.connections += 1;
    const draw = this.random();
    const before = this.options.dropBefore ?? 0;
    const after = this.options.dropAfter ?? 0;
    if (draw < before) {
      this.counts.droppedBefore += 1;
      client.resetAndDestroy();
      return;
    }
    const dropAnswer = draw < before + after;
    const upstream = net.connect(this.options.target.port, this.options.target.host);
    upstream.on('error', () => client.destroy());
    // The client gone (done, timed out or cut by down()): nothing more to carry to the CA.
    client.on('close', () => upstream.destroy());
    this.sockets.add(client);
    client.on('close', () => this.sockets.delete(client));
    relay(client, upstream, this.options.latencyMs?.up ?? 0);
    let counted = false;
    relay(upstream, client, this.options.latencyMs?.down ?? 0, () => {
      if (!dropAnswer) return true;
      // The CA has answered: lose the answer, as a broken connection would.
      if (!counted) {
        counted = true;
        this.counts.droppedAfter += 1;
      }
      client.resetAndDestroy();
      upstream.destroy();
      return false;
    });
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
