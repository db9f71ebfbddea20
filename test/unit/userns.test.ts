import * as assert from 'node:assert/strict';
import { projectMountFor } from '../../src/isolation/projectMount';
import { checkUserNamespace } from '../../src/isolation/userns';

const plain = { userns: false, rootless: false };

describe('user namespaces', () => {
  it('requireUserNamespace holds strict and sandboxed to a remapped or rootless engine, and nothing else', () => {
    for (const level of ['strict', 'sandboxed'] as const) {
      assert.throws(() => checkUserNamespace(level, true, plain, 'unix:///x.sock'), { name: 'InputError', field: 'requireUserNamespace' });
      checkUserNamespace(level, true, { userns: true, rootless: false }, 'h');
      checkUserNamespace(level, true, { userns: false, rootless: true }, 'h');
      checkUserNamespace(level, false, plain, 'h');
    }
    checkUserNamespace('standard', true, plain, 'h');
  });

  it('on a remapped engine auto is copy, and bind or review are refused', () => {
    assert.equal(projectMountFor('auto', false, true, 'h'), 'copy');
    assert.equal(projectMountFor(undefined, false, false, 'h'), 'review');
    assert.equal(projectMountFor('copy', false, true, 'h'), 'copy');
    assert.throws(() => projectMountFor('bind', false, true, 'unix:///r.sock'), /remaps user namespaces: .*through "bind"\. Use copy/);
    assert.throws(() => projectMountFor('review', false, true, 'h'), /through "review"/);
  });
});
