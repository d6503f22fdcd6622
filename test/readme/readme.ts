// The README as data for its tests: fenced code blocks by language, YAML documents, table rows.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

export const ROOT = join(import.meta.dirname, '..', '..');

export interface CodeBlock {
  lang: string;
  text: string;
}

export interface KubeDocument {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export function readme(): string {
  return readFileSync(join(ROOT, 'README.md'), 'utf8');
}

/** Fenced blocks (also indented ones inside list items), indentation removed. */
export function codeBlocks(text = readme()): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const re = /^( *)```(\w*)\n([\s\S]*?)^\1```$/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const indent = m[1].length;
    blocks.push({ lang: m[2], text: m[3].replace(new RegExp(`^ {0,${indent}}`, 'gm'), '') });
  }
  return blocks;
}

/** Every Kubernetes object written in a ```yaml block. */
export function yamlObjects(text = readme()): KubeDocument[] {
  return codeBlocks(text)
    .filter((b) => b.lang === 'yaml')
    .flatMap((b) => parseAllDocuments(b.text).map((d) => d.toJSON() as KubeDocument | null))
    .filter((o): o is KubeDocument => o !== null);
}

/** Table rows whose first cell mentions `needle`, as cells. */
export function rowsMentioning(needle: string, text = readme()): string[][] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('|') && l.split('|')[1]?.includes(needle))
    .map((l) =>
      l
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim()),
    );
}

/** Lines of ```sh blocks, continuation lines joined. */
export function shellCommands(text = readme()): string[] {
  return codeBlocks(text)
    .filter((b) => b.lang === 'sh')
    .flatMap((b) => b.text.replace(/\\\n\s*/g, '').split('\n'))
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}
