// Writes a built store set into a directory all-or-nothing per file: every file goes to a
// temporary name first, and only when all are written are they renamed into place. A failure
// removes the temporaries and leaves the directory as it was.
import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes `files` (name → bytes) into `dir`, mode 0600 (they hold keys and passwords). */
export function writeStoreDirectory(dir: string, files: Record<string, Buffer>): string[] {
  mkdirSync(dir, { recursive: true });
  const suffix = `.tmp-${randomBytes(6).toString('hex')}`;
  const staged: [string, string][] = [];
  try {
    for (const [name, data] of Object.entries(files)) {
      const target = join(dir, name);
      const temporary = join(dir, `.${name}${suffix}`);
      writeFileSync(temporary, data, { mode: 0o600, flag: 'wx' });
      staged.push([temporary, target]);
    }
  } catch (err) {
    for (const [temporary] of staged) rmSync(temporary, { force: true });
    throw err;
  }
  for (const [temporary, target] of staged) renameSync(temporary, target);
  return staged.map(([, target]) => target);
}
