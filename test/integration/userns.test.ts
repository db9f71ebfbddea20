import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { captureExec } from '../../src/engine/captureExec';
import { EngineConnection } from '../../src/engine/connection';
import { labels } from '../../src/workspace/model';
import { WorkspaceService } from '../../src/workspace/service';
import { connect } from '../support/engine';
import { folderUser, makeFolder, removeFolder } from '../support/folders';
import { startUsernsEngine, UsernsEngine } from '../support/usernsEngine';
import { execIn, testWorkspaceService } from './support';

describe('user namespaces (real engines: the test engine, and one with --userns-remap)', function () {
  this.timeout(240_000);
  const folders: string[] = [];
  let remappedEngine: UsernsEngine | undefined;
  let connection: EngineConnection;
  let remappedService: WorkspaceService;

  before(async () => {
    remappedEngine = await startUsernsEngine(`userns-${process.pid}`);
    connection = await connect(remappedEngine.engine.host);
    remappedService = testWorkspaceService({ requireUserNamespace: true }, async () => connection);
  });
  after(async () => {
    await remappedEngine?.dispose();
    folders.forEach(removeFolder);
  });

  const folder = (): string => {
    const made = makeFolder('aicli-userns-', { readme: '# mine\n', owner: 'user' });
    folders.push(made);
    return made;
  };

  it('requireUserNamespace: strict and sandboxed are refused on an engine without remapping, saying how to get it; standard is not', async () => {
    const plain = testWorkspaceService({ requireUserNamespace: true });
    for (const level of ['strict', 'sandboxed']) {
      await assert.rejects(plain.create({ folder: folder(), name: `userns-refused-${level}-${process.pid}`, level }), {
        name: 'InputError',
        message: new RegExp(`The ${level} level requires user namespaces here \\(aicli.isolation.requireUserNamespace\\).*--userns-remap=default`),
      });
    }
    const { workspace } = await plain.create({ folder: folder(), name: `userns-standard-${process.pid}` });
    assert.equal(workspace.state, 'running');
    await plain.remove(workspace.name);
  });

  it("remapped: uid 0 of the box is an unprivileged uid of the host; the box works on a copy it can write, the folder's files stay its owner's", async () => {
    const project = folder();
    const { workspace, notes } = await remappedService.create({ folder: project, name: `userns-strict-${process.pid}`, level: 'strict' });
    assert.equal(workspace.labels[labels.mount], 'copy', `auto picks copy: ${notes.join(' ')}`);
    const info = await remappedService.inspect(workspace.name);
    const boxUser = Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${info.State.Pid}/status`, 'utf8'))?.[1]);
    // Root in the box: a root exec's process, found on the host by the engine's `top` (host pids).
    const rootSleep = await captureExec(connection, workspace.containerId, { cmd: ['sh', '-c', 'sleep 313 >/dev/null 2>&1 &'], user: '0' });
    assert.equal(rootSleep.code, 0, rootSleep.stderr);
    const top = await connection.docker.getContainer(workspace.containerId).top({ ps_args: '-o pid,args' });
    const hostPid = top.Processes.find((row: string[]) => row.some((cell: string) => cell.includes('sleep 313')))?.[0];
    assert.ok(hostPid, JSON.stringify(top.Processes));
    const rootUid = Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${hostPid}/status`, 'utf8'))?.[1]);
    console.log(`      on the host: the box's user (1000 inside) is uid ${boxUser}, its root (0 inside) is uid ${rootUid}`);
    assert.ok(rootUid >= 100_000, `root of the box is host uid ${rootUid}`);
    assert.equal(boxUser, rootUid + folderUser.uid);
    const inBox = await execIn(remappedService, workspace.name, [
      'sh',
      '-c',
      'id -u; ls -n /workspace/README.md; echo more >> /workspace/README.md && cat /workspace/README.md',
    ]);
    assert.equal(inBox.code, 0, inBox.stderr);
    assert.match(inBox.stdout, new RegExp(`^${folderUser.uid}\\n[-rw]+\\s+\\d+\\s+${folderUser.uid}\\s+${folderUser.gid}\\s`));
    assert.match(inBox.stdout, /# mine\nmore\n$/);
    assert.equal(readFileSync(`${project}/README.md`, 'utf8'), '# mine\n', 'the folder itself is not written');
    await remappedService.remove(workspace.name);
  });

  it('remapped: a bind or review mount is refused before anything is made, saying why and what works', async () => {
    for (const mount of ['bind', 'review']) {
      await assert.rejects(remappedService.create({ folder: folder(), name: `userns-${mount}-${process.pid}`, level: 'standard', mount }), {
        name: 'InputError',
        message: new RegExp(`remaps user namespaces: .*through "${mount}"\\. Use copy`),
      });
    }
  });
});
