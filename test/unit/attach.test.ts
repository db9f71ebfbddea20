import * as assert from 'node:assert/strict';
import { attachLabel, attachOf } from '../../src/workspace/attach';
import { labels } from '../../src/workspace/model';

describe('what terminals get when they attach (workspace label)', () => {
  it('round-trips remoteEnv and postAttach commands through the label', () => {
    const attach = { env: { HINT: 'vim' }, commands: [['sh', '-c', 'echo hi']] };
    const written = attachLabel(attach);
    assert.deepEqual(Object.keys(written), [labels.attach]);
    assert.deepEqual(attachOf(written), attach);
  });

  it('writes no label for nothing, and refuses a reserved or bad name', () => {
    assert.deepEqual(attachLabel(undefined), {});
    assert.deepEqual(attachLabel({ env: {}, commands: [] }), {});
    assert.throws(() => attachLabel({ env: { WORKSPACE_ID: 'x' }, commands: [] }), /WORKSPACE_ID is set by AICLI itself/);
    assert.throws(() => attachLabel({ env: {}, commands: [[]] }), /non-empty list of strings/);
  });

  it('reads nothing from a label that is missing or not what attachLabel writes', () => {
    const none = { env: {}, commands: [] };
    assert.deepEqual(attachOf({}), none);
    assert.deepEqual(attachOf({ [labels.attach]: 'not json' }), none);
    assert.deepEqual(attachOf({ [labels.attach]: JSON.stringify({ env: { 'BAD NAME': 'x' }, commands: [['ok']] }) }), none);
    assert.deepEqual(attachOf({ [labels.attach]: JSON.stringify({ env: { A: '1' }, commands: [['ok'], [], 'sh', [1]] }) }), {
      env: { A: '1' },
      commands: [['ok']],
    });
  });
});
