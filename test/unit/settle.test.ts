import * as assert from 'node:assert/strict';
import { engineArchitecture } from '../../src/workspace/gatewayImage';
import { settleAll } from '../../src/workspace/settle';

describe('parallel create steps', () => {
  it('a step that fails does not lose what its sibling made, even when the sibling finishes later', async () => {
    const kept: string[] = [];
    const slow = new Promise<string>((resolve) => setTimeout(() => resolve('inside network'), 30));
    await assert.rejects(
      settleAll([slow, Promise.reject(new Error('subnet taken'))], (made) => kept.push(made)),
      /subnet taken/,
    );
    assert.deepEqual(kept, ['inside network'], 'the rollback knows the network that was made');
    assert.deepEqual(await settleAll([Promise.resolve(1), Promise.resolve(2)], () => {}), [1, 2]);
  });

  it("reads the engine's architecture as dockerd (uname) and Podman (Go) name it", () => {
    for (const [engine, node] of [
      ['x86_64', 'x64'],
      ['amd64', 'x64'],
      ['aarch64', 'arm64'],
      ['arm64', 'arm64'],
      ['riscv64', 'riscv64'],
    ])
      assert.equal(engineArchitecture(engine), node, engine);
  });
});
