// A test-only model of what a container sees, the way the kubelet builds it: the mount with the
// longest mountPath containing a path wins, `subPath` shows a part of the volume, a Secret volume
// shows every key at its name or only its `items` at their paths. And a model of the old Pod at
// run time: the CertService client writes its files (per OUTPUT_TYPE) into its emptyDir, the
// post-processor merges into the first truststore and copies keystore files. Written apart from
// src/migrate (no import from it), so the proof does not reuse the code it checks.
import { posix } from 'node:path';

interface Mount {
  name: string;
  mountPath: string;
  subPath?: string;
}
interface Container {
  name: string;
  env?: { name: string; value?: string }[];
  volumeMounts?: Mount[];
}
interface Volume {
  name: string;
  emptyDir?: unknown;
  secret?: { secretName: string; items?: { key: string; path: string }[] };
  configMap?: { name: string; items?: { key: string; path: string }[] };
}
export interface Spec {
  initContainers?: Container[];
  containers?: Container[];
  volumes?: Volume[];
}

export type Seen =
  | { kind: 'image' }
  | { kind: 'emptyDir'; volume: string; path: string }
  | { kind: 'secret'; secretName: string; key: string }
  | { kind: 'configMap'; name: string; key: string }
  | { kind: 'absent'; why: string };

const clean = (p: string): string => {
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
};

/** What `container` reads at `path`; `secretKeys` gives the keys each Secret holds. */
export function see(spec: Spec, container: Container, path: string, secretKeys: (name: string) => string[]): Seen {
  const target = clean(path);
  let best: { mount: Mount; rest: string } | undefined;
  for (const mount of container.volumeMounts ?? []) {
    const mp = clean(mount.mountPath);
    const rest = target === mp ? '' : target.startsWith(mp === '/' ? '/' : `${mp}/`) ? target.slice(mp.length + (mp === '/' ? 0 : 1)) : undefined;
    if (rest === undefined) continue;
    if (!best || clean(best.mount.mountPath).length < mp.length) best = { mount, rest };
  }
  if (!best) return { kind: 'image' };
  const inVolume = [best.mount.subPath, best.rest].filter((s) => s).join('/');
  const volume = (spec.volumes ?? []).find((v) => v.name === best!.mount.name);
  if (!volume) return { kind: 'absent', why: `no volume ${best.mount.name}` };
  if (volume.emptyDir !== undefined) return { kind: 'emptyDir', volume: volume.name, path: inVolume };
  const projected = volume.secret ?? volume.configMap;
  if (projected) {
    const name = volume.secret ? volume.secret.secretName : volume.configMap!.name;
    const items = projected.items;
    const key = items ? items.find((i) => clean(`/${i.path}`) === `/${inVolume}`)?.key : secretKeys(name).includes(inVolume) ? inVolume : undefined;
    if (key === undefined) return { kind: 'absent', why: `${name} projects nothing at ${inVolume}` };
    return volume.secret ? { kind: 'secret', secretName: name, key } : { kind: 'configMap', name, key };
  }
  return { kind: 'absent', why: `volume ${volume.name} is of another type` };
}

const env = (c: Container, name: string): string | undefined => c.env?.find((e) => e.name === name)?.value;

/** The files (by name) ONAP's client writes for an OUTPUT_TYPE. */
export const CLIENT_OUTPUT: Record<string, string[]> = {
  JKS: ['keystore.jks', 'keystore.pass', 'truststore.jks', 'truststore.pass'],
  P12: ['keystore.p12', 'keystore.pass', 'truststore.p12', 'truststore.pass'],
  PEM: ['keystore.pem', 'key.pem', 'truststore.pem'],
};

/** A file the old Pod held in an emptyDir: which client wrote it, and under which name. */
export interface OldFile {
  client: string;
  origin: string;
}

/** Runs the old Pod's init containers on a model filesystem: emptyDir files by `volume:path`. */
export function runOldInitContainers(spec: Spec): Map<string, OldFile> {
  const files = new Map<string, OldFile>();
  const none = (): string[] => [];
  for (const c of spec.initContainers ?? []) {
    const outputPath = env(c, 'OUTPUT_PATH');
    if (outputPath && env(c, 'COMMON_NAME') !== undefined) {
      for (const file of CLIENT_OUTPUT[env(c, 'OUTPUT_TYPE') || 'P12']) {
        const at = see(spec, c, posix.join(outputPath, file), none);
        if (at.kind === 'emptyDir') files.set(`${at.volume}:${at.path}`, { client: c.name, origin: file });
      }
    }
    const sources = env(c, 'KEYSTORE_SOURCE_PATHS');
    const destinations = env(c, 'KEYSTORE_DESTINATION_PATHS');
    if (sources && destinations) {
      const from = sources.split(':');
      const to = destinations.split(':');
      for (const [i, source] of from.entries()) {
        const a = see(spec, c, source, none);
        const b = see(spec, c, to[i], none);
        const copied = a.kind === 'emptyDir' ? files.get(`${a.volume}:${a.path}`) : undefined;
        if (copied && b.kind === 'emptyDir') files.set(`${b.volume}:${b.path}`, copied);
      }
    }
  }
  return files;
}

/** Every absolute path at which `container` sees an emptyDir file of `files`. */
export function pathsOf(container: Container, files: Map<string, OldFile>): { path: string; file: OldFile }[] {
  const out: { path: string; file: OldFile }[] = [];
  for (const mount of container.volumeMounts ?? []) {
    for (const [id, file] of files) {
      const [volume, inVolume] = [id.slice(0, id.indexOf(':')), id.slice(id.indexOf(':') + 1)];
      if (volume !== mount.name) continue;
      const base = mount.subPath ?? '';
      if (base && inVolume !== base && !inVolume.startsWith(`${base}/`)) continue;
      const rest = base ? inVolume.slice(base.length).replace(/^\//, '') : inVolume;
      out.push({ path: rest ? posix.join(mount.mountPath, rest) : mount.mountPath, file });
    }
  }
  return out;
}
