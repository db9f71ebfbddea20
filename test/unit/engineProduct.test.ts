import * as assert from 'node:assert/strict';
import { engineProduct, engineProductName } from '../../src/engine/product';
import { podmanRefusal, podmanShortcomings } from '../../src/isolation/podman';

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

describe('which engine answers (engine/product) and Podman refused for workspaces (isolation/podman)', () => {
  it('names Podman by its "Podman Engine" component, dockerd as Docker, and an old engine without components as Docker', () => {
    assert.deepEqual(engineProduct(podmanVersion), { name: 'Podman', version: '4.3.1' });
    assert.equal(engineProductName(dockerVersion), 'Docker 20.10.24+dfsg1');
    assert.equal(engineProductName({ Version: '1.13.1' }), 'Docker 1.13.1');
  });

  it('refuses Podman with every measured reason and the way out; any other engine is not refused', () => {
    const refusal = podmanRefusal(podmanVersion, 'unix:///run/podman/podman.sock') ?? '';
    assert.match(refusal, /^The engine at unix:\/\/\/run\/podman\/podman\.sock is Podman 4\.3\.1, where workspaces cannot be isolated: /);
    for (const reason of podmanShortcomings) assert.ok(refusal.includes(reason), reason);
    assert.match(refusal, /inhibit_ipv4.*reach the host/);
    assert.match(refusal, /Use a Docker engine for workspaces \(aicli\.engine\.host; `npm start` starts a private one\)/);
    assert.equal(podmanRefusal(dockerVersion, 'unix:///var/run/docker.sock'), undefined);
  });
});
