// What to do with one Pod template (pure: plain objects in, a plan out). Each CertService client
// init container becomes a Certificate whose Secret replaces the client's output emptyDir; each
// post-processor becomes trust sources (truststores from Secret/ConfigMap volumes) and Secret
// `items` / `subPath` mounts (keystore copies). Anything a Certificate cannot express keeps the
// whole Pod template as it is, with the reasons: a half-migrated Pod would not start (the
// post-processor cannot write into a read-only Secret volume).
import type { StoreFormat } from '../keystore/index.js';
import type { CertificatePlan } from './certificate.js';
import { connectionEnv, isClientContainer, isPostProcessorContainer, literalEnv, readClient } from './clientContainer.js';
import { normalizePath, pathsInContainer, projectedKey, resolvePath } from './mounts.js';
import { clientFiles, POST_PROCESSOR_DELIMITER, POST_PROCESSOR_ENV, truststoreTypeOf } from './onapClient.js';
import { containersInOrder, type Container, type PodSpec, type Volume } from './podSpec.js';

export interface Workload {
  kind: string;
  name: string;
  namespace?: string;
}

export interface AddedMount {
  list: 'initContainers' | 'containers';
  index: number;
  mount: { name: string; mountPath: string; subPath: string; readOnly: true };
}

export interface SecretVolume {
  index: number;
  secretName: string;
  items?: { key: string; path: string }[];
}

export interface PodEdits {
  removeInitContainers: number[];
  secretVolumes: SecretVolume[];
  removeVolumes: number[];
  addMounts: AddedMount[];
}

export type PodPlan =
  { status: 'none' } | { status: 'kept'; reasons: string[] } | { status: 'migrated'; certificates: CertificatePlan[]; edits: PodEdits; notes: string[] };

const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

interface OurVolume {
  cert: number;
  volume: string;
  format: StoreFormat;
  /** In-volume path → Secret key, when a keystore copy lands in this volume. */
  items: Map<string, string>;
}

type Location =
  | { kind: 'ours'; our: OurVolume; file: string }
  | { kind: 'object'; objectKind: 'secret' | 'configmap'; objectName: string; key: string | undefined; volume: string; inVolume: string }
  | { kind: 'volume'; volume: string; inVolume: string; what: string }
  | { kind: 'image' };

function volumeKind(volume: Volume | undefined): string {
  if (!volume) return 'a volume the Pod does not declare';
  const kind = Object.keys(volume).find((k) => k !== 'name');
  return kind ?? 'a volume of no type';
}

function splitPaths(value: string | undefined): string[] {
  return value === undefined || value === '' ? [] : value.split(POST_PROCESSOR_DELIMITER);
}

export function planPod(spec: PodSpec, workload: Workload, suffix: string): PodPlan {
  const initContainers = spec.initContainers ?? [];
  const volumes = spec.volumes ?? [];
  const volumeByName = new Map(volumes.map((v, i) => [v.name, { volume: v, index: i }]));
  const clients = initContainers.flatMap((c, i) => (isClientContainer(c) ? [i] : []));
  if (clients.length === 0) return { status: 'none' };
  const postProcessors = initContainers.flatMap((c, i) => (!isClientContainer(c) && isPostProcessorContainer(c) ? [i] : []));
  const reasons: string[] = [];
  const notes: string[] = [];
  const certificates: CertificatePlan[] = [];
  const ours = new Map<string, OurVolume>();

  // 1. Each client: its request, its output volume, the Certificate's name.
  for (const [j, index] of clients.entries()) {
    const container = initContainers[index];
    const read = readClient(container);
    if (!read.ok) {
      reasons.push(...read.reasons);
      continue;
    }
    const request = read.value;
    const name = clients.length === 1 ? `${workload.name}${suffix}` : `${workload.name}${suffix}-${j}`;
    if (!NAME.test(name)) reasons.push(`'${name}' (workload name + --secret-suffix) is not a valid Secret name`);
    const outputPath = normalizePath(request.outputPath);
    const mount = (container.volumeMounts ?? []).find((m) => normalizePath(m.mountPath) === outputPath && !m.subPath && !m.subPathExpr);
    const target = mount ? volumeByName.get(mount.name) : undefined;
    if (!mount || !target) {
      reasons.push(`${container.name} writes to ${request.outputPath}, which is not a volume of the Pod (the files stay in the client's own filesystem)`);
      continue;
    }
    if (target.volume.emptyDir === undefined) {
      reasons.push(
        `${container.name} writes to volume ${mount.name}, a ${volumeKind(target.volume)} volume, not an emptyDir; migrate only replaces the client's emptyDir`,
      );
      continue;
    }
    if (ours.has(mount.name)) {
      reasons.push(`two CertService clients write into volume ${mount.name}; give each its own volume`);
      continue;
    }
    for (const [i, other] of initContainers.entries()) {
      if (clients.includes(i) || postProcessors.includes(i)) continue;
      if ((other.volumeMounts ?? []).some((m) => m.name === mount.name)) {
        reasons.push(`init container ${other.name} also mounts ${mount.name} and may write there; a Secret volume is read-only`);
      }
    }
    ours.set(mount.name, { cert: certificates.length, volume: mount.name, format: request.format, items: new Map() });
    certificates.push({ name, namespace: workload.namespace, request, formats: [request.format], trustSources: [] });
    const dropped = connectionEnv(container);
    notes.push(
      `${container.name} → Certificate ${name} (${request.format}${request.caName ? `, CA_NAME ${request.caName} is now the issuer's choice` : ''}), volume ${mount.name} → Secret ${name}` +
        (dropped.length > 0 ? `; dropped ${dropped.join(', ')} (the client's connection to CertService)` : ''),
    );
  }
  if (reasons.length > 0) return { status: 'kept', reasons };

  const locate = (container: Container, path: string): Location => {
    const resolved = resolvePath(container, path);
    if (!resolved) return { kind: 'image' };
    const our = ours.get(resolved.volume);
    if (our) return { kind: 'ours', our, file: resolved.inVolume };
    const volume = volumeByName.get(resolved.volume)?.volume;
    if (volume?.secret || volume?.configMap) {
      const objectKind = volume.secret ? 'secret' : 'configmap';
      const objectName = volume.secret ? volume.secret.secretName : volume.configMap?.name;
      if (objectName) return { kind: 'object', objectKind, objectName, key: projectedKey(volume, resolved.inVolume), ...resolved };
    }
    return { kind: 'volume', ...resolved, what: volumeKind(volume) };
  };
  const describe = (location: Location, path: string): string => {
    switch (location.kind) {
      case 'image':
        return `${path} is in the post-processor's own image`;
      case 'volume':
        return `${path} is in ${location.what} volume ${location.volume}, filled by another container`;
      case 'object':
        return `${path} is no key of ${location.objectKind === 'secret' ? 'Secret' : 'ConfigMap'} ${location.objectName}`;
      case 'ours':
        return `${path} is no file the client writes`;
    }
  };

  // 2. Post-processors: trust sources and keystore copies.
  const addMounts: AddedMount[] = [];
  const order = containersInOrder(spec);
  for (const index of postProcessors) {
    const container = initContainers[index];
    const { values, fromElsewhere } = literalEnv(container);
    for (const [env, source] of fromElsewhere) {
      if ((Object.values(POST_PROCESSOR_ENV) as string[]).includes(env))
        reasons.push(`env ${env} of ${container.name} comes from ${source}; migrate does not guess it`);
    }
    const truststores = splitPaths(values.get(POST_PROCESSOR_ENV.truststores));
    const passwords = splitPaths(values.get(POST_PROCESSOR_ENV.truststorePasswords));
    const sources = splitPaths(values.get(POST_PROCESSOR_ENV.keystoreSources));
    const destinations = splitPaths(values.get(POST_PROCESSOR_ENV.keystoreDestinations));
    if (truststores.length !== passwords.length || sources.length !== destinations.length || truststores.length === 0) {
      reasons.push(
        `${container.name}: the path lists do not pair up (${truststores.length} truststores, ${passwords.length} passwords, ${sources.length} sources, ${destinations.length} destinations); the post-processor would not start`,
      );
      continue;
    }
    const kept = reasons.length;
    const first = locate(container, truststores[0]);
    const firstType = truststoreTypeOf(truststores[0]);
    if (
      first.kind !== 'ours' ||
      firstType === undefined ||
      first.file !== `truststore.${firstType === 'pkcs12' ? 'p12' : firstType}` ||
      first.our.format !== firstType
    ) {
      reasons.push(
        `${container.name} merges into ${truststores[0]}, which is not the truststore the client writes (${describe(first, truststores[0])}); migrate cannot express that merge`,
      );
      continue;
    }
    const certificate = certificates[first.our.cert];
    for (let i = 1; i < truststores.length; i++) {
      const path = truststores[i];
      const type = truststoreTypeOf(path);
      const location = locate(container, path);
      if (location.kind === 'ours') continue;
      if (type === undefined) {
        reasons.push(`${container.name}: truststore ${path} has no .jks, .p12 or .pem extension; the post-processor would refuse it`);
        continue;
      }
      if (location.kind !== 'object' || location.key === undefined) {
        reasons.push(
          `${container.name} merges ${describe(location, path)}; a trust source must be a Secret or ConfigMap key: put that truststore in one, mount it, and run migrate again`,
        );
        continue;
      }
      let entry = `${location.objectKind}:${location.objectName}/${location.key}`;
      if (type !== 'pem') {
        const password = passwords[i] === '' ? undefined : locate(container, passwords[i]);
        if (
          !password ||
          password.kind !== 'object' ||
          password.objectKind !== location.objectKind ||
          password.objectName !== location.objectName ||
          !password.key
        ) {
          reasons.push(
            `${container.name}: the password of ${path} (${passwords[i] || 'none given'}) is not a key of the same ${location.objectKind === 'secret' ? 'Secret' : 'ConfigMap'} ${location.objectName}; a trust source reads its password from its own object`,
          );
          continue;
        }
        entry += `?password-key=${password.key}`;
      }
      if (!certificate.trustSources.includes(entry)) certificate.trustSources.push(entry);
    }
    for (let i = 0; i < sources.length; i++) {
      const source = locate(container, sources[i]);
      if (source.kind !== 'ours' || !clientFiles(source.our.format).includes(source.file)) {
        reasons.push(
          `${container.name} copies ${sources[i]}, not a file the client writes (${describe(source, sources[i])}); migrate cannot express that copy`,
        );
        continue;
      }
      const key = source.file;
      const destination = locate(container, destinations[i]);
      if (destination.kind === 'image') {
        notes.push(`${container.name}'s copy to ${destinations[i]} stayed in its own filesystem: nothing reads it`);
      } else if (destination.kind === 'ours') {
        if (destination.our !== source.our) {
          reasons.push(`${container.name} copies ${sources[i]} into another client's volume; migrate cannot express that copy`);
          continue;
        }
        destination.our.items.set(destination.file, key);
        notes.push(`${destinations[i]} → item ${destination.file} of Secret ${certificates[source.our.cert].name} (key ${key})`);
      } else {
        let seen = 0;
        for (const ref of order) {
          if (ref.list === 'initContainers' && ref.index <= index) continue;
          if (ref.list === 'initContainers' && (clients.includes(ref.index) || postProcessors.includes(ref.index))) continue;
          for (const mountPath of pathsInContainer(ref.container, destination.volume, destination.inVolume)) {
            addMounts.push({ list: ref.list, index: ref.index, mount: { name: source.our.volume, mountPath, subPath: key, readOnly: true } });
            seen += 1;
          }
        }
        notes.push(`${destinations[i]} → subPath ${key} of Secret ${certificates[source.our.cert].name} (${seen} mount${seen === 1 ? '' : 's'})`);
      }
    }
    if (reasons.length === kept && certificate.trustSources.length > 0) notes.push(`${container.name} → trust-sources ${certificate.trustSources.join(',')}`);
  }
  if (reasons.length > 0) return { status: 'kept', reasons };

  // 3. Volumes: the clients' emptyDirs become Secret volumes; a volume only the removed containers used goes.
  const removed = new Set([...clients, ...postProcessors]);
  const secretVolumes: SecretVolume[] = [...ours.values()].map((our) => {
    const secretName = certificates[our.cert].name;
    const index = volumeByName.get(our.volume)!.index;
    if (our.items.size === 0) return { index, secretName };
    const items = new Map(clientFiles(our.format).map((f) => [f, f]));
    for (const [path, key] of our.items) items.set(path, key);
    return { index, secretName, items: [...items].map(([path, key]) => ({ key, path })) };
  });
  const used = new Set<string>();
  for (const ref of order) {
    if (ref.list === 'initContainers' && removed.has(ref.index)) continue;
    for (const mount of ref.container.volumeMounts ?? []) used.add(mount.name);
  }
  const removeVolumes = volumes.flatMap((v, i) => (!used.has(v.name) && !ours.has(v.name) && usedOnlyBy(v.name, spec, removed) ? [i] : []));
  for (const i of removeVolumes) notes.push(`volume ${volumes[i].name} removed (only the CertService init containers used it)`);
  for (const index of postProcessors) notes.push(`${initContainers[index].name} removed`);
  return {
    status: 'migrated',
    certificates,
    edits: { removeInitContainers: [...removed].sort((a, b) => a - b), secretVolumes, removeVolumes, addMounts },
    notes,
  };
}

function usedOnlyBy(volume: string, spec: PodSpec, removed: Set<number>): boolean {
  return (spec.initContainers ?? []).some((c, i) => removed.has(i) && (c.volumeMounts ?? []).some((m) => m.name === volume));
}
