// Writes a built store set into a directory all-or-nothing (issue 11, finding 3): every file goes
// to a temporary name in the target directory first; each existing file is kept under a backup
// name (a hard link, so no byte is copied) before the renames, done in a fixed order; if any step
// fails, the renamed files are put back from their backups, and every temporary and backup is
// removed. The directory then holds exactly the old set, and no file with a key in it is left
// behind. (A crash of the process itself between two renames can still leave a mix: POSIX has no
// multi-file rename; the Secret path of the keystore loop is atomic through the API server.)
import { randomBytes } from 'node:crypto';
import { linkSync, lstatSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The directory cannot take the store files; the message says why and what to do. */
export class StoreDirectoryError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreDirectoryError';
  }
}

/** File-system calls, replaceable in tests to make one of them fail. */
export interface StoreDirectoryFs {
  writeFileSync: typeof writeFileSync;
  renameSync: typeof renameSync;
  linkSync: typeof linkSync;
  rmSync: typeof rmSync;
}

const realFs: StoreDirectoryFs = { writeFileSync, renameSync, linkSync, rmSync };

function code(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
}

function kind(path: string): 'none' | 'file' | 'other' {
  try {
    return lstatSync(path).isFile() ? 'file' : 'other';
  } catch {
    return 'none';
  }
}

function prepareDirectory(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    if (code(err) === 'EEXIST' || code(err) === 'ENOTDIR') {
      throw new StoreDirectoryError(`${dir} exists and is not a directory; give --out a directory (it is created if missing)`, { cause: err });
    }
    throw new StoreDirectoryError(`cannot create the directory ${dir}: ${code(err)}`, { cause: err });
  }
  if (!lstatSync(dir).isDirectory()) {
    throw new StoreDirectoryError(`${dir} exists and is not a directory; give --out a directory (it is created if missing)`);
  }
}

/** Writes `files` (name → bytes) into `dir`, mode 0600 (they hold keys and passwords), all or none. */
export function writeStoreDirectory(dir: string, files: Record<string, Buffer>, fs: StoreDirectoryFs = realFs): string[] {
  prepareDirectory(dir);
  const suffix = `.tmp-${randomBytes(6).toString('hex')}`;
  const names = Object.keys(files);
  for (const name of names) {
    if (kind(join(dir, name)) === 'other') {
      throw new StoreDirectoryError(
        `${join(dir, name)} is a directory or special file where the store file ${name} belongs; remove or rename it (nothing was written)`,
      );
    }
  }
  const temporaries: string[] = [];
  const backups = new Map<string, string>(); // target → backup of its old content
  const replaced: string[] = [];
  let step = '';
  try {
    for (const name of names) {
      const temporary = join(dir, `.${name}${suffix}`);
      step = `write ${temporary}`;
      fs.writeFileSync(temporary, files[name], { mode: 0o600, flag: 'wx' });
      temporaries.push(temporary);
    }
    for (const name of names) {
      const target = join(dir, name);
      if (kind(target) === 'none') continue;
      const backup = join(dir, `.${name}${suffix}.old`);
      step = `keep the old ${target}`;
      fs.linkSync(target, backup);
      backups.set(target, backup);
    }
    names.forEach((name, i) => {
      const target = join(dir, name);
      step = `rename into ${target}`;
      fs.renameSync(temporaries[i], target);
      replaced.push(target);
    });
  } catch (err) {
    const restoreFailures = restore(replaced, backups, fs);
    for (const path of [...temporaries, ...backups.values()]) fs.rmSync(path, { force: true });
    const restored = restoreFailures.length === 0 ? 'the old files are unchanged' : `could not restore ${restoreFailures.join(', ')}`;
    throw new StoreDirectoryError(`cannot ${step}: ${code(err)}; nothing was written (${restored}); fix the directory ${dir} and run again`, {
      cause: err,
    });
  }
  for (const backup of backups.values()) fs.rmSync(backup, { force: true });
  return names.map((name) => join(dir, name));
}

/** Puts the old content back over every replaced target (or removes a target that was new). */
function restore(replaced: string[], backups: Map<string, string>, fs: StoreDirectoryFs): string[] {
  const failures: string[] = [];
  for (const target of replaced.reverse()) {
    try {
      const backup = backups.get(target);
      if (backup) fs.renameSync(backup, target);
      else fs.rmSync(target, { force: true });
    } catch {
      failures.push(target);
    }
  }
  return failures;
}
