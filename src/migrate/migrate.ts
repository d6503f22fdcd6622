// `migrate` over a whole YAML stream: parse with the yaml Document API (order and comments kept),
// plan every Pod template that runs the CertService client, edit those documents in place, put
// each new Certificate right after its workload, and copy every other document byte for byte.
import { Document, isMap, isScalar, isSeq, parseAllDocuments, type YAMLMap, type YAMLSeq } from 'yaml';
import { certificateObject, type IssuerRef } from './certificate.js';
import { isClientContainer } from './clientContainer.js';
import { MigrateInputError } from './errors.js';
import { planPod, type PodEdits, type Workload } from './podPlan.js';
import { podSpecSchema, type Container } from './podSpec.js';
import { findInitContainerLists, isListKind, POD_SPEC_PATHS, WORKLOAD_KINDS } from './workloads.js';

/** Larger input is refused: a whole ONAP `helm template` is a few MiB; anything bigger is a mistake or a split job. */
export const MAX_INPUT_BYTES = 8 * 1024 * 1024;

export interface MigrateOptions {
  issuer: IssuerRef;
  /** Appended to the workload name for the Certificate and Secret (default `-cmpv2`). */
  secretSuffix: string;
}

export interface WorkloadReport {
  /** `Deployment onap/sdnc`. */
  workload: string;
  status: 'migrated' | 'kept';
  /** What became what, or why it was kept. */
  details: string[];
}

export interface MigrateResult {
  output: string;
  reports: WorkloadReport[];
  /** True when some workload was kept (exit 2). */
  kept: boolean;
}

type Path = (string | number)[];

const label = (kind: string, name: string, namespace: string | undefined): string => `${kind} ${namespace ? `${namespace}/` : ''}${name}`;

/** Quick look before the schema: does this list hold a CertService client? */
function holdsClient(list: unknown): boolean {
  return Array.isArray(list) && list.some((c) => c !== null && typeof c === 'object' && isClientContainer(c as Container));
}

function seqAt(map: YAMLMap, key: string): YAMLSeq | undefined {
  const node = map.get(key, true);
  return isSeq(node) ? node : undefined;
}

function applyEdits(doc: Document, spec: YAMLMap, edits: PodEdits): void {
  for (const add of edits.addMounts) {
    const container = seqAt(spec, add.list)?.items[add.index];
    if (!isMap(container)) continue;
    const mounts = seqAt(container, 'volumeMounts');
    if (mounts) mounts.add(doc.createNode(add.mount));
    else container.set('volumeMounts', doc.createNode([add.mount]));
  }
  const volumes = seqAt(spec, 'volumes');
  for (const change of edits.secretVolumes) {
    const volume = volumes?.items[change.index];
    if (!isMap(volume)) continue;
    volume.delete('emptyDir');
    volume.set('secret', doc.createNode({ secretName: change.secretName, ...(change.items ? { items: change.items } : {}) }));
  }
  const remove = (key: string, indexes: number[]): void => {
    const seq = seqAt(spec, key);
    if (!seq) return;
    for (const i of [...indexes].sort((a, b) => b - a)) seq.items.splice(i, 1);
    if (seq.items.length === 0) spec.delete(key);
  };
  remove('volumes', edits.removeVolumes);
  remove('initContainers', edits.removeInitContainers);
}

/** kubectl writes `key:\n- item`, many charts `key:\n  - item`: keep what the document does. */
function indentsSequences(source: string): boolean {
  let indented = 0;
  let flush = 0;
  const lines = source.split('\n');
  for (let i = 0; i + 1 < lines.length; i++) {
    const key = /^(\s*)(?:- )?[^\s#][^:]*:\s*$/.exec(lines[i]);
    const item = /^(\s*)- /.exec(lines[i + 1]);
    if (!key || !item) continue;
    const keyIndent = key[1].length + (lines[i].trimStart().startsWith('- ') ? 2 : 0);
    if (item[1].length > keyIndent) indented += 1;
    else if (item[1].length === keyIndent) flush += 1;
  }
  return indented >= flush;
}

/** Migrates a YAML stream; throws MigrateInputError for input it cannot read. `source` names it in messages. */
export function migrateStream(text: string, options: MigrateOptions, source = 'input'): MigrateResult {
  const size = Buffer.byteLength(text, 'utf8');
  if (size > MAX_INPUT_BYTES) {
    throw new MigrateInputError(`${source}: ${size} bytes is more than migrate reads (${MAX_INPUT_BYTES} bytes); migrate one chart or namespace at a time`);
  }
  const parsed = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: false });
  const docs: Document[] = Array.isArray(parsed) ? parsed : [];
  const reports: WorkloadReport[] = [];
  const additions = new Map<number, Record<string, unknown>[]>();
  const changed = new Set<number>();

  for (const [n, doc] of docs.entries()) {
    const where = `${source}: document ${n + 1}`;
    if (doc.errors.length > 0) throw new MigrateInputError(`${where} is not valid YAML: ${doc.errors[0].message.split('\n')[0]}`);
    // `---` with nothing (or only comments) after it: an empty document, as helm renders a disabled template.
    if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) continue;
    if (!isMap(doc.contents))
      throw new MigrateInputError(`${where} is not a mapping (a Kubernetes object); migrate reads objects as kubectl and helm write them`);
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    const objects: { path: Path; object: Record<string, unknown> }[] = [];
    const kind = (value as Record<string, unknown>).kind;
    if (typeof kind !== 'string' || kind === '') throw new MigrateInputError(`${where} has no kind; is it a Kubernetes object?`);
    if (isListKind(kind)) {
      const items = (value as Record<string, unknown>).items;
      if (items !== undefined && items !== null && !Array.isArray(items)) throw new MigrateInputError(`${where} (${kind}): items is not a list`);
      for (const [i, item] of ((items as unknown[] | null | undefined) ?? []).entries()) {
        if (item === null || typeof item !== 'object' || Array.isArray(item)) throw new MigrateInputError(`${where} (${kind}): item ${i + 1} is not a mapping`);
        const itemKind = (item as Record<string, unknown>).kind;
        if (typeof itemKind !== 'string' || itemKind === '') throw new MigrateInputError(`${where} (${kind}): item ${i + 1} has no kind`);
        objects.push({ path: ['items', i], object: item as Record<string, unknown> });
      }
    } else {
      objects.push({ path: [], object: value as Record<string, unknown> });
    }

    for (const { path, object } of objects) {
      const objectKind = object.kind as string;
      const metadata = (object.metadata ?? {}) as Record<string, unknown>;
      const name = typeof metadata.name === 'string' ? metadata.name : '';
      const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : undefined;
      const specPath = POD_SPEC_PATHS[objectKind];
      if (!specPath) {
        const lists = findInitContainerLists(object).filter((p) =>
          holdsClient(p.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)?.[k], object)),
        );
        if (lists.length > 0) {
          throw new MigrateInputError(
            `${where}: kind ${objectKind} holds a CertService client init container at ${lists[0].join('.')}, but migrate rewrites only ${WORKLOAD_KINDS.join(', ')} (and Lists of them)`,
          );
        }
        continue;
      }
      const rawSpec = specPath.reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], object);
      if (rawSpec === null || typeof rawSpec !== 'object' || !holdsClient((rawSpec as Record<string, unknown>).initContainers)) continue;
      const workload: Workload = { kind: objectKind, name, namespace };
      const title = label(objectKind, name || '(no name)', namespace);
      if (!name) {
        reports.push({ workload: title, status: 'kept', details: ['it has no metadata.name to name the Certificate after (generateName is not enough)'] });
        continue;
      }
      const spec = podSpecSchema.safeParse(rawSpec);
      if (!spec.success) {
        const issue = spec.error.issues[0];
        throw new MigrateInputError(`${where} (${title}): ${[...specPath, ...issue.path.map(String)].join('.')}: ${issue.message}`);
      }
      const plan = planPod(spec.data, workload, options.secretSuffix);
      if (plan.status === 'none') continue;
      if (plan.status === 'kept') {
        reports.push({ workload: title, status: 'kept', details: plan.reasons });
        continue;
      }
      const specNode = doc.getIn([...path, ...specPath], true);
      if (!isMap(specNode)) throw new MigrateInputError(`${where} (${title}): ${specPath.join('.')} is not a mapping`);
      applyEdits(doc, specNode, plan.edits);
      changed.add(n);
      const list = additions.get(n) ?? [];
      list.push(...plan.certificates.map((c) => certificateObject(c, options.issuer)));
      additions.set(n, list);
      reports.push({ workload: title, status: 'migrated', details: plan.notes });
    }
  }

  // Unchanged documents keep their exact text; a changed one is printed by the yaml library.
  const starts = docs.map((d, i) => (i === 0 ? 0 : (d.range?.[0] ?? 0)));
  let output = docs.length === 0 ? text : '';
  for (const [n, doc] of docs.entries()) {
    const original = text.slice(starts[n], n + 1 < docs.length ? starts[n + 1] : text.length);
    const options = { indentSeq: indentsSequences(original), lineWidth: 0 };
    let segment = changed.has(n) ? doc.toString(options) : original;
    for (const certificate of additions.get(n) ?? []) {
      if (!segment.endsWith('\n')) segment += '\n';
      segment += `---\n${new Document(certificate).toString(options)}`;
    }
    if (n + 1 < docs.length && segment !== original && !segment.endsWith('\n')) segment += '\n';
    output += segment;
  }
  return { output, reports, kept: reports.some((r) => r.status === 'kept') };
}

/** One line per workload for stderr. */
export function reportLine(report: WorkloadReport): string {
  return `${report.workload}: ${report.status}${report.details.length > 0 ? ` — ${report.details.join('; ')}` : ''}`;
}
