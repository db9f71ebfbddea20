import * as assert from 'node:assert/strict';
import { engineProduct, engineProductName } from '../../src/engine/product';
import { podmanCreateRefusal, podmanNote, podmanRefusals } from '../../src/isolation/podman';

// GET /version as Podman 4.3.1 (Debian 12) and dockerd 20.10.24 answered it on this machine, trimmed.
const podmanVersion = {
  Version: '4.3.1',
  ApiVersion: '1.41',
  Components: [
    { Name: 'Podman Engine', Version: '4.3.1' },
    { Name: 'Conmon', Version: 'conmon version 2.1.6, commit: unknown' },
  ],
};
const dockerVersion = {
  Version: '20.10.24+dfsg1',
  ApiVersion: '1.41',
  Components: [
    { Name: 'Engine', Version: '20.10.24+dfsg1' },
    { Name: 'containerd', Version: '1.6.20~ds1' },
  ],
};

describe('which engine answers (engine/product) and what Podman makes (isolation/podman)', () => {
  it('names Podman by its "Podman Engine" component, dockerd as Docker, and an old engine without components as Docker', () => {
    assert.deepEqual(engineProduct(podmanVersion), { name: 'Podman', version: '4.3.1' });
    assert.equal(engineProductName(dockerVersion), 'Docker 20.10.24+dfsg1');
    assert.equal(engineProductName({ Version: '1.13.1' }), 'Docker 1.13.1');
  });

  const host = 'unix:///run/podman/podman.sock';
  const strictBound = { level: 'strict', mount: 'bind', remote: false, user: '1000:1000' } as const;

  it('makes strict, bound workspaces on a local Podman, and says so in the doctor; any other engine is not concerned', () => {
    assert.equal(podmanCreateRefusal(podmanVersion, host, strictBound), undefined);
    assert.equal(
      podmanNote(podmanVersion, host),
      `The engine at ${host} is Podman 4.3.1: workspaces at strict only, with the folder bound (--mount bind), on an engine on this machine; the box shares its gateway's network namespace.`,
    );
    assert.equal(podmanNote(dockerVersion, 'unix:///var/run/docker.sock'), undefined);
    assert.equal(podmanCreateRefusal(dockerVersion, 'unix:///var/run/docker.sock', { ...strictBound, level: 'basic', mount: 'review' }), undefined);
  });

  it("refuses every other level, mount mode, a remote Podman and the resolvers' uid, each with its reason and the way out", () => {
    const standardReview = podmanCreateRefusal(podmanVersion, host, { ...strictBound, level: 'standard', mount: 'review' }) ?? '';
    assert.ok(standardReview.startsWith(`The engine at ${host} is Podman 4.3.1, which makes workspaces at strict only`), standardReview);
    assert.ok(standardReview.includes(podmanRefusals.level) && standardReview.includes(podmanRefusals.mount));
    assert.match(
      standardReview,
      /Create with --level strict \(aicli\.isolation\.level\) and --mount bind \(aicli\.workspace\.projectMount; the box then writes the folder itself\), or use a Docker engine\.$/,
    );
    for (const level of ['basic', 'sandboxed'] as const)
      assert.ok(podmanCreateRefusal(podmanVersion, host, { ...strictBound, level })?.includes(podmanRefusals.level), level);
    assert.ok(podmanCreateRefusal(podmanVersion, host, { ...strictBound, mount: 'copy' })?.includes(podmanRefusals.mount));
    const remote = podmanCreateRefusal(podmanVersion, 'ssh://box', { ...strictBound, remote: true }) ?? '';
    assert.ok(remote.includes(podmanRefusals.remote) && remote.endsWith('Use a Docker engine, or a Podman service on this machine.'), remote);
    const nobody = podmanCreateRefusal(podmanVersion, host, { ...strictBound, user: '65534:65534' }) ?? '';
    assert.ok(nobody.includes(podmanRefusals.resolverUser) && nobody.endsWith('Use a folder another user owns, or a Docker engine.'), nobody);
  });
});
