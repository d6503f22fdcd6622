import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/k8s/meta.js';
import { generationChanged, generationOrAnnotationsChanged } from '../../src/k8s/predicates.js';

const obj = (generation: number, annotations?: Record<string, string>, rv = '1'): KubeObject => ({
  metadata: { name: 'x', generation, annotations, resourceVersion: rv },
});

describe('k8s/predicates', () => {
  it('generationChanged: a spec change passes, a status write does not', () => {
    assert.equal(generationChanged(obj(1), obj(2)), true);
    assert.equal(generationChanged(obj(1, undefined, '1'), obj(1, undefined, '2')), false);
  });

  it('generationOrAnnotationsChanged: annotations added, changed or removed pass; equal ones in another order do not', () => {
    assert.equal(generationOrAnnotationsChanged(obj(1), obj(1, { a: '1' })), true);
    assert.equal(generationOrAnnotationsChanged(obj(1, { a: '1' }), obj(1, { a: '2' })), true);
    assert.equal(generationOrAnnotationsChanged(obj(1, { a: '1', b: '2' }), obj(1, { a: '1' })), true);
    assert.equal(generationOrAnnotationsChanged(obj(1, { a: '1', b: '2' }), obj(1, { b: '2', a: '1' })), false);
    assert.equal(generationOrAnnotationsChanged(obj(1, {}), obj(1)), false);
    assert.equal(generationOrAnnotationsChanged(obj(1), obj(2)), true);
  });
});
