// Where a path a container uses lives: the mount with the longest mountPath that contains it
// (kubelet nests mounts), then the path inside that volume (below the mount's subPath), then, for
// a Secret or ConfigMap volume, the data key projected there (`items`, or the path itself).
import { posix } from 'node:path';
import type { Container, Volume } from './podSpec.js';

export interface ResolvedPath {
  /** The volume's name in the Pod spec. */
  volume: string;
  /** The path inside the volume ('' = its root). */
  inVolume: string;
}

/** Absolute, normalised, without a trailing '/'. */
export function normalizePath(path: string): string {
  const normalized = posix.normalize(path);
  return normalized.length > 1 && normalized.endsWith('/') ? normalized.slice(0, -1) : normalized;
}

function within(path: string, mountPath: string): string | undefined {
  if (path === mountPath) return '';
  const prefix = mountPath === '/' ? '/' : `${mountPath}/`;
  return path.startsWith(prefix) ? path.slice(prefix.length) : undefined;
}

/** The volume and in-volume path of `path` as `container` sees it; undefined: the container's own filesystem (its image). */
export function resolvePath(container: Container, path: string): ResolvedPath | undefined {
  const target = normalizePath(path);
  let best: { mountPath: string; resolved: ResolvedPath } | undefined;
  for (const mount of container.volumeMounts ?? []) {
    const mountPath = normalizePath(mount.mountPath);
    const rest = within(target, mountPath);
    if (rest === undefined) continue;
    if (best && best.mountPath.length >= mountPath.length) continue;
    const base = mount.subPath ? normalizePath(mount.subPath) : '';
    best = { mountPath, resolved: { volume: mount.name, inVolume: base && rest ? `${base}/${rest}` : base || rest } };
  }
  return best?.resolved;
}

/** Every path at which `container` sees `inVolume` of `volume` (a volume can be mounted more than once). */
export function pathsInContainer(container: Container, volume: string, inVolume: string): string[] {
  const paths: string[] = [];
  for (const mount of container.volumeMounts ?? []) {
    if (mount.name !== volume || mount.subPathExpr) continue;
    const base = mount.subPath ? normalizePath(mount.subPath) : '';
    const rest = base === '' ? inVolume : within(`/${inVolume}`, `/${base}`);
    if (rest === undefined) continue;
    paths.push(rest === '' ? normalizePath(mount.mountPath) : posix.join(normalizePath(mount.mountPath), rest));
  }
  return paths;
}

/** The data key a Secret or ConfigMap volume shows at `inVolume`; undefined when none is projected there. */
export function projectedKey(volume: Volume, inVolume: string): string | undefined {
  const items = volume.secret?.items ?? volume.configMap?.items;
  if (items) return items.find((item) => normalizePath(`/${item.path}`) === `/${inVolume}`)?.key;
  return inVolume.includes('/') || inVolume === '' ? undefined : inVolume;
}
