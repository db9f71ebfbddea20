import * as assert from 'node:assert/strict';
import { rmSync, statSync } from 'node:fs';
import { workspaceUserFor } from '../../src/isolation/folderOwner';
import { isolationLevels, levelProfiles } from '../../src/isolation/levels';
import { makeFolder } from '../support/folders';

describe('workspaceUserFor', () => {
  let folder: string;
  before(() => {
    // As root (this project's machines) the folder gets uid 1000, as on a user's machine.
    folder = makeFolder('aicli-owner-', { owner: 'user-if-root' });
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  it("runs every level as the owner of a folder that is not root's", () => {
    const { uid, gid } = statSync(folder);
    assert.notEqual(uid, 0);
    for (const level of isolationLevels) {
      assert.deepEqual(workspaceUserFor(folder, level, levelProfiles[level].user), { user: `${uid}:${gid}`, notes: [] }, level);
    }
  });

  it("keeps the level's own user for a root-owned folder, and says so where that user is not root", () => {
    assert.equal(statSync('/').uid, 0);
    assert.deepEqual(workspaceUserFor('/', 'basic', levelProfiles.basic.user), { user: undefined, notes: [] });
    assert.deepEqual(workspaceUserFor('/', 'standard', levelProfiles.standard.user), { user: undefined, notes: [] });
    const strict = workspaceUserFor('/', 'strict', levelProfiles.strict.user);
    assert.equal(strict.user, '1000:1000');
    assert.match(strict.notes[0] ?? '', /owned by root; the strict workspace runs as 1000:1000/);
  });
});
