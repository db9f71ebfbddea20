import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  checkLevel,
  checkWorkspaceName,
  containerNameFor,
  defaultWorkspaceName,
  labels,
  networkNameFor,
  newWorkspaceId,
  workspaceFromSummary,
} from '../../src/workspace/model';

/** What the engine accepts as a container name. */
const containerNamePattern = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

function summary(overrides: Record<string, unknown> = {}) {
  return {
    Id: 'c0ffee',
    Names: ['/workspace_abcd123456'],
    Image: 'aicli/base:1',
    State: 'running',
    Status: 'Up 3 minutes',
    Created: 1_700_000_000,
    Labels: {
      [labels.managed]: 'true',
      [labels.id]: 'abcd123456',
      [labels.name]: 'project',
      [labels.level]: 'strict',
      [labels.folder]: '/home/u/project',
    },
    Ports: [
      { IP: '127.0.0.1', PrivatePort: 8080, PublicPort: 8888, Type: 'tcp' },
      { PrivatePort: 9000, Type: 'tcp' },
    ],
    ...overrides,
  };
}

describe('newWorkspaceId', () => {
  it('is 4 hex of the folder hash then 6 random hex', () => {
    const folder = '/home/u/project';
    const prefix = createHash('sha256').update(folder).digest('hex').slice(0, 4);
    const ids = Array.from({ length: 50 }, () => newWorkspaceId(folder));
    for (const id of ids) {
      assert.match(id, /^[0-9a-f]{10}$/);
      assert.equal(id.slice(0, 4), prefix);
    }
    assert.ok(new Set(ids.map((id) => id.slice(4))).size > 45, 'random part repeats');
    assert.notEqual(newWorkspaceId('/home/u/other').slice(0, 4), prefix);
  });

  it('makes valid container and network names', () => {
    const id = newWorkspaceId('/x y/ü');
    assert.match(containerNameFor(id), containerNamePattern);
    assert.match(networkNameFor(id), containerNamePattern);
    assert.equal(containerNameFor(id), `workspace_${id}`);
    assert.equal(networkNameFor(id), `aicli-workspace-${id}`);
  });
});

describe('checkWorkspaceName', () => {
  it('accepts and trims good names', () => {
    assert.equal(checkWorkspaceName('project'), 'project');
    assert.equal(checkWorkspaceName('  my.proj_1-x  '), 'my.proj_1-x');
    assert.equal(checkWorkspaceName('9'), '9');
    assert.equal(checkWorkspaceName('a'.repeat(63)), 'a'.repeat(63));
  });

  it('refuses bad names with a message saying what is allowed', () => {
    for (const name of ['', '   ', '-x', '.x', '_x', 'a b', 'a/b', 'ü', 'a'.repeat(64), 'x;rm']) {
      assert.throws(() => checkWorkspaceName(name), {
        name: 'InputError',
        field: 'name',
        message: `Workspace name "${name}" must start with a letter or digit and use only letters, digits, ".", "_" and "-" (at most 63).`,
      });
    }
  });
});

describe('defaultWorkspaceName', () => {
  it('uses the folder name, sanitised into a valid workspace name', () => {
    const cases: [string, string][] = [
      ['/home/u/project', 'project'],
      ['/home/u/project/', 'project'],
      ['/home/u/My Project!', 'My-Project-'],
      ['/home/u/a  b   c', 'a-b-c'],
      ['/home/u/.dotfiles', 'dotfiles'],
      ['/home/u/-_-x', 'x'],
      ['/home/u/café', 'caf-'],
      ['/home/u/проект', 'workspace'],
      ['/home/u/...', 'workspace'],
      ['/', 'workspace'],
      ['', 'workspace'],
      [`/home/u/${'a'.repeat(100)}`, 'a'.repeat(63)],
    ];
    for (const [folder, name] of cases) {
      assert.equal(defaultWorkspaceName(folder), name, folder);
      assert.equal(checkWorkspaceName(defaultWorkspaceName(folder)), name, folder);
    }
  });
});

describe('checkLevel', () => {
  it('accepts the four levels', () => {
    for (const level of ['basic', 'standard', 'strict', 'sandboxed']) assert.equal(checkLevel(level), level);
  });

  it('refuses anything else', () => {
    for (const level of ['', 'Strict', 'paranoid', ' basic']) {
      assert.throws(() => checkLevel(level), {
        name: 'InputError',
        field: 'level',
        message: `Isolation level "${level}" is not one of basic, standard, strict, sandboxed.`,
      });
    }
  });
});

describe('workspaceFromSummary', () => {
  it('builds a workspace from a managed row', () => {
    assert.deepEqual(workspaceFromSummary(summary()), {
      id: 'abcd123456',
      name: 'project',
      level: 'strict',
      folder: '/home/u/project',
      image: 'aicli/base:1',
      containerId: 'c0ffee',
      containerName: 'workspace_abcd123456',
      network: 'aicli-workspace-abcd123456',
      state: 'running',
      status: 'Up 3 minutes',
      createdAt: new Date(1_700_000_000_000),
      ports: [{ hostIp: '127.0.0.1', hostPort: 8888, containerPort: 8080, protocol: 'tcp' }],
      labels: summary().Labels,
    });
  });

  it('ignores containers we do not manage', () => {
    assert.equal(workspaceFromSummary(summary({ Labels: {} })), undefined);
    assert.equal(workspaceFromSummary(summary({ Labels: { [labels.managed]: 'true' } })), undefined);
    assert.equal(workspaceFromSummary(summary({ Labels: { [labels.managed]: 'false', [labels.id]: 'x' } })), undefined);
    assert.equal(workspaceFromSummary(summary({ Labels: { [labels.id]: 'x' } })), undefined);
    assert.equal(workspaceFromSummary(summary({ Labels: undefined as unknown as Record<string, string> })), undefined);
  });

  it('falls back for missing name, level, folder, ports and names', () => {
    const workspace = workspaceFromSummary(
      summary({ Labels: { [labels.managed]: 'true', [labels.id]: 'ffff000000', [labels.level]: 'bogus' }, Ports: undefined, Names: [] }),
    );
    assert.ok(workspace);
    assert.equal(workspace.name, 'ffff000000');
    assert.equal(workspace.level, 'standard');
    assert.equal(workspace.folder, '');
    assert.deepEqual(workspace.ports, []);
    assert.equal(workspace.containerName, '');
    assert.equal(workspace.network, 'aicli-workspace-ffff000000');
  });
});
