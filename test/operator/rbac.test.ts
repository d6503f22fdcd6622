// The RBAC of the kustomize base and of the Helm chart, and the chart's CRDs, are generated from
// src/operator/rbac.ts and crds/: a hand edit, or a rule added without regenerating, fails here.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { generatedFiles, repoRoot, staleFiles } from '../../scripts/deploy/generate.js';
import { APPROVER_RULES, LEADER_ELECTION_RULES, OPERATOR_RULES } from '../../src/operator/rbac.js';

describe('operator/rbac (generated deploy files)', () => {
  it('every generated file is up to date (npx tsx scripts/deploy/generate.ts)', async () => {
    assert.deepEqual(await staleFiles(), []);
  });

  it("the base's roles hold exactly the rules of src/operator/rbac.ts", async () => {
    const rulesOf = async (file: string, kind: string) => {
      const docs = parseAllDocuments(await readFile(join(repoRoot, file), 'utf8')).map((d) => d.toJSON() as { kind: string; rules?: unknown });
      return docs.find((d) => d.kind === kind)?.rules;
    };
    assert.deepEqual(await rulesOf('deploy/rbac.yaml', 'ClusterRole'), OPERATOR_RULES);
    assert.deepEqual(await rulesOf('deploy/leader-election-rbac.yaml', 'Role'), LEADER_ELECTION_RULES);
    assert.deepEqual(await rulesOf('deploy/approver-rbac.yaml', 'ClusterRole'), APPROVER_RULES);
  });

  it("the chart's CRDs are crds/ byte for byte", async () => {
    const files = await generatedFiles();
    const copies = Object.keys(files).filter((f) => f.includes(join('files', 'crds')));
    assert.equal(copies.length, 2);
    for (const copy of copies) {
      const name = copy.split('/').at(-1)!;
      assert.equal(await readFile(join(repoRoot, copy), 'utf8'), await readFile(join(repoRoot, 'crds', name), 'utf8'), name);
    }
  });
});
