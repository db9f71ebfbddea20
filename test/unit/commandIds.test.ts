import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { allCommandIds } from '../../src/ui/commands/ids';
import { workspaceActions } from '../../src/workspace/actions';

const manifest = JSON.parse(readFileSync(resolve(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
  contributes: { commands: { command: string }[]; menus: Record<string, { command: string }[]> };
};
const declared = manifest.contributes.commands.map((entry) => entry.command);

describe('the command id table', () => {
  it('holds exactly the commands package.json declares, each once', () => {
    assert.deepEqual([...allCommandIds].sort(), [...declared].sort());
    assert.equal(new Set(allCommandIds).size, allCommandIds.length);
  });

  it('holds the command of every row of the state → actions table', () => {
    for (const row of workspaceActions) assert.ok((allCommandIds as readonly string[]).includes(row.command), `${row.command} (${row.action})`);
  });

  it('holds every command a menu names', () => {
    const inMenus = Object.values(manifest.contributes.menus).flatMap((entries) => entries.map((entry) => entry.command));
    for (const command of inMenus) assert.ok((allCommandIds as readonly string[]).includes(command), command);
  });

  it('is the only place commands are registered: registerCommand of vscode appears in the kernel alone', () => {
    // The lint rule says the same for src/ui; this also covers a file the rule would not see.
    const root = resolve(__dirname, '..', '..', '..');
    const hits = execFileSync('grep', ['-rln', 'commands.registerCommand(', 'src'], { cwd: root, encoding: 'utf8' }).trim().split('\n');
    assert.deepEqual(hits, ['src/ui/commands/kernel.ts']);
  });
});
