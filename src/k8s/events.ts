// Kubernetes Events (core/v1) on the objects we work on. Repeats of the same event on the same
// object are folded into one Event with a count, like client-go's recorder. Events are
// best-effort: a failure to record one is reported, never thrown into a reconcile.
// A guard refuses any text that looks like private key material (SPEC §3.8).
import { createPrivateKey, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { MERGE_PATCH, type KubeApi } from './apiClient.js';
import { isNotFound } from './apiError.js';
import { realClock, type Clock } from './clock.js';
import { formatTime } from './conditions.js';
import { collectionPath, objectPath, EVENTS } from './resources.js';
import type { ObjectReference } from './meta.js';

export type EventType = 'Normal' | 'Warning';

/** An Event as a reconcile returns it: data, not yet sent. */
export interface EventRecord {
  type: EventType;
  reason: string;
  message: string;
}

/** Where reconcile shells send Events; tests pass a fake. */
export interface EventSink {
  record(object: ObjectReference, event: EventRecord): Promise<void>;
}

const PRIVATE_KEY_PEM = /-----BEGIN[A-Z0-9 ]*PRIVATE KEY-----/i;
const BASE64_RUN = /[A-Za-z0-9+/]{64,}={0,2}/g;

/** True when `text` carries a PEM private key, or base64 that decodes to one (PKCS#8, PKCS#1, SEC1). */
export function looksLikePrivateKey(text: string): boolean {
  if (PRIVATE_KEY_PEM.test(text)) return true;
  for (const [run] of text.matchAll(BASE64_RUN)) {
    const der = Buffer.from(run, 'base64');
    for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const) {
      try {
        createPrivateKey({ key: der, format: 'der', type });
        return true;
      } catch {
        // not this encoding
      }
    }
  }
  return false;
}

export const WITHHELD_MESSAGE = '(message withheld: it looked like private key material)';
const MAX_MESSAGE = 1024;
const MAX_REMEMBERED = 4096;

export interface EventRecorderOptions {
  /** `source.component` / `reportingComponent`, e.g. `cmpv2-operator`. */
  component: string;
  instance?: string;
  clock?: Clock;
  onError?: (err: unknown) => void;
  /** Told when a message was withheld by the guard (never given the text itself). */
  onRefused?: (object: ObjectReference, reason: string) => void;
}

interface Remembered {
  namespace: string;
  name: string;
  count: number;
}

export class EventRecorder implements EventSink {
  private readonly clock: Clock;
  private readonly instance: string;
  private readonly recent = new Map<string, Remembered>();

  constructor(
    private readonly api: KubeApi,
    private readonly options: EventRecorderOptions,
  ) {
    this.clock = options.clock ?? realClock;
    this.instance = options.instance ?? hostname();
  }

  async record(object: ObjectReference, event: EventRecord): Promise<void> {
    let message = event.message.length > MAX_MESSAGE ? `${event.message.slice(0, MAX_MESSAGE - 1)}…` : event.message;
    if (looksLikePrivateKey(event.message) || looksLikePrivateKey(event.reason)) {
      message = WITHHELD_MESSAGE;
      this.options.onRefused?.(object, event.reason);
    }
    const reason = looksLikePrivateKey(event.reason) ? 'Withheld' : event.reason;
    // Events of cluster-scoped objects go to `default`, as kubectl describe looks for them there.
    const namespace = object.namespace || 'default';
    const memoKey = [object.uid ?? '', object.kind, namespace, object.name, event.type, reason, message].join('\u0000');
    const now = formatTime(this.clock.now());
    try {
      const seen = this.recent.get(memoKey);
      if (seen) {
        try {
          seen.count += 1;
          await this.api.request('PATCH', objectPath(EVENTS, seen.namespace, seen.name), {
            body: { count: seen.count, lastTimestamp: now },
            contentType: MERGE_PATCH,
          });
          this.remember(memoKey, seen);
          return;
        } catch (err) {
          if (!isNotFound(err)) throw err;
          this.recent.delete(memoKey); // expired by the API server's TTL: create a new one
        }
      }
      const name = `${object.name}.${this.clock.now().getTime().toString(16)}${randomBytes(3).toString('hex')}`;
      await this.api.request('POST', collectionPath(EVENTS, namespace), {
        body: {
          apiVersion: 'v1',
          kind: 'Event',
          metadata: { name, namespace },
          involvedObject: object,
          type: event.type,
          reason,
          message,
          count: 1,
          firstTimestamp: now,
          lastTimestamp: now,
          source: { component: this.options.component, host: this.instance },
          reportingComponent: this.options.component,
          reportingInstance: this.instance,
        },
      });
      this.remember(memoKey, { namespace, name, count: 1 });
    } catch (err) {
      this.options.onError?.(err);
    }
  }

  private remember(key: string, value: Remembered): void {
    this.recent.delete(key);
    this.recent.set(key, value);
    if (this.recent.size > MAX_REMEMBERED) this.recent.delete(this.recent.keys().next().value!);
  }
}
