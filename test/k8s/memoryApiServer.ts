// An in-memory Kubernetes API for unit tests of the controller shells: objects by resource
// path, resourceVersions, merge patches with the resourceVersion precondition, the status
// subresource, generation bumps on spec changes, and watch streams (replay from a version,
// then live). Enough to run informers and controllers end to end without an API server;
// the cluster tests do the same against the real one.
import type http from 'node:http';
import { sendJson, sendStatus, startFakeApi, type FakeApi, type SeenRequest } from './fakeApiServer.js';

type Obj = { metadata: Record<string, unknown> & { name?: string; namespace?: string; resourceVersion?: string; generation?: number }; [k: string]: unknown };

interface Parsed {
  plural: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

function parsePath(path: string): Parsed | undefined {
  const m = /^\/(?:api\/v1|apis\/[^/]+\/[^/]+)\/(.*)$/.exec(path);
  if (!m) return undefined;
  const parts = m[1].split('/').map(decodeURIComponent);
  if (parts[0] === 'namespaces' && parts.length >= 3) return { namespace: parts[1], plural: parts[2], name: parts[3], subresource: parts[4] };
  return { plural: parts[0], name: parts[1], subresource: parts[2] };
}

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const result: Record<string, unknown> =
    typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete result[k];
    else result[k] = mergePatch(result[k], v);
  }
  return result;
}

interface Watcher {
  plural: string;
  namespace?: string;
  res: http.ServerResponse;
  metadataOnly: boolean;
}

export class MemoryApi {
  private rv = 100;
  readonly objects = new Map<string, Map<string, Obj>>();
  private readonly history: { plural: string; type: string; obj: Obj; rv: number }[] = [];
  private watchers: Watcher[] = [];
  fake!: FakeApi;
  /** Writes by method, to count what a controller sent. */
  readonly writes: SeenRequest[] = [];

  static async start(): Promise<MemoryApi> {
    const memory = new MemoryApi();
    memory.fake = await startFakeApi((req, res) => memory.route(req, res));
    return memory;
  }

  async close(): Promise<void> {
    for (const w of this.watchers.splice(0)) w.res.end();
    await this.fake.close();
  }

  private bucket(plural: string): Map<string, Obj> {
    let b = this.objects.get(plural);
    if (!b) this.objects.set(plural, (b = new Map()));
    return b;
  }

  get(plural: string, namespace: string | undefined, name: string): Obj | undefined {
    return this.bucket(plural).get(`${namespace ?? ''}/${name}`);
  }

  /** Creates or replaces an object directly (as another client would). */
  put(plural: string, obj: Obj): Obj {
    const key = `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
    const existing = this.bucket(plural).get(key);
    const stored = structuredClone(obj);
    stored.metadata.resourceVersion = String(++this.rv);
    stored.metadata.uid ??= existing?.metadata.uid ?? `uid-${this.rv}`;
    stored.metadata.creationTimestamp ??= existing?.metadata.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const specChanged = !existing || JSON.stringify(existing.spec) !== JSON.stringify(stored.spec);
    stored.metadata.generation = (existing?.metadata.generation ?? 0) + (specChanged ? 1 : 0);
    this.bucket(plural).set(key, stored);
    this.emit(plural, existing ? 'MODIFIED' : 'ADDED', stored);
    return stored;
  }

  remove(plural: string, namespace: string | undefined, name: string): void {
    const key = `${namespace ?? ''}/${name}`;
    const existing = this.bucket(plural).get(key);
    if (!existing) return;
    this.bucket(plural).delete(key);
    this.emit(plural, 'DELETED', { ...existing, metadata: { ...existing.metadata, resourceVersion: String(++this.rv) } });
  }

  private emit(plural: string, type: string, obj: Obj): void {
    const rv = Number(obj.metadata.resourceVersion);
    this.history.push({ plural, type, obj, rv });
    for (const w of this.watchers) {
      if (w.plural === plural && (!w.namespace || w.namespace === obj.metadata.namespace))
        w.res.write(`${JSON.stringify({ type, object: this.shape(obj, w.metadataOnly) })}\n`);
    }
  }

  private shape(obj: Obj, metadataOnly: boolean): Obj {
    return metadataOnly ? { apiVersion: 'meta.k8s.io/v1', kind: 'PartialObjectMetadata', metadata: obj.metadata } : obj;
  }

  private route(req: SeenRequest, res: http.ServerResponse): void {
    const p = parsePath(req.path);
    if (!p) return sendStatus(res, 404, 'NotFound', req.path);
    const metadataOnly = String(req.headers.accept ?? '').includes('as=PartialObjectMetadata');
    const bucket = this.bucket(p.plural);
    const key = `${p.namespace ?? ''}/${p.name ?? ''}`;
    if (req.method !== 'GET') this.writes.push(req);
    if (req.method === 'GET' && !p.name) {
      const inScope = (o: Obj): boolean => !p.namespace || o.metadata.namespace === p.namespace;
      if (req.query.get('watch') === 'true') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.flushHeaders();
        const since = Number(req.query.get('resourceVersion') ?? 0);
        for (const h of this.history) {
          if (h.plural === p.plural && h.rv > since && inScope(h.obj))
            res.write(`${JSON.stringify({ type: h.type, object: this.shape(h.obj, metadataOnly) })}\n`);
        }
        const watcher: Watcher = { plural: p.plural, namespace: p.namespace, res, metadataOnly };
        this.watchers.push(watcher);
        res.on('close', () => (this.watchers = this.watchers.filter((w) => w !== watcher)));
        return;
      }
      return sendJson(res, 200, {
        metadata: { resourceVersion: String(this.rv) },
        items: [...bucket.values()].filter(inScope).map((o) => this.shape(o, metadataOnly)),
      });
    }
    const existing = bucket.get(key);
    if (req.method === 'GET') return existing ? sendJson(res, 200, existing) : sendStatus(res, 404, 'NotFound', `${p.plural} ${p.name} not found`);
    if (req.method === 'POST') {
      const body = req.body as Obj;
      const name = body.metadata.name ?? `gen-${this.rv + 1}`;
      if (bucket.has(`${p.namespace ?? ''}/${name}`)) return sendStatus(res, 409, 'AlreadyExists', `${name} exists`);
      return sendJson(res, 201, this.put(p.plural, { ...body, metadata: { ...body.metadata, name, namespace: p.namespace } }));
    }
    if (!existing) return sendStatus(res, 404, 'NotFound', `${p.plural} ${p.name} not found`);
    if (req.method === 'DELETE') {
      this.remove(p.plural, p.namespace, p.name!);
      return sendJson(res, 200, existing);
    }
    const body = req.body as Obj;
    const precondition = body.metadata?.resourceVersion;
    if (precondition && precondition !== existing.metadata.resourceVersion) return sendStatus(res, 409, 'Conflict', 'the object has been modified');
    let next: Obj;
    if (req.method === 'PATCH') {
      const patch = structuredClone(body) as Obj;
      if (patch.metadata) delete patch.metadata.resourceVersion;
      // The status subresource changes only status; the main resource never does.
      if (p.subresource === 'status') next = { ...existing, status: mergePatch(existing.status, patch.status) };
      else next = { ...(mergePatch(existing, { ...patch, status: undefined }) as Obj), status: existing.status };
    } else if (req.method === 'PUT') {
      next = p.subresource === 'status' ? { ...existing, status: body.status } : { ...body, status: existing.status };
    } else {
      return sendStatus(res, 405, 'MethodNotAllowed', req.method);
    }
    next.metadata = { ...next.metadata, resourceVersion: existing.metadata.resourceVersion };
    sendJson(res, 200, this.put(p.plural, next));
  }
}
