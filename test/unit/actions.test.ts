import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { actionFits, skippedNote, splitByAction, workspaceActions, workspaceStates } from '../../src/workspace/actions';
import { repoRoot } from '../support/paths';

interface MenuEntry {
  command: string;
  when?: string;
}

const manifest = JSON.parse(readFileSync(resolve(repoRoot, 'package.json'), 'utf8')) as {
  contributes: { commands: { command: string }[]; menus: Record<string, MenuEntry[]> };
};
const itemMenus = manifest.contributes.menus['view/item/context'] ?? [];

/** The `viewItem =~ /…/` of a `when` clause as a RegExp (VS Code evaluates it as a JavaScript one). */
function viewItemRegex(when: string | undefined): RegExp | undefined {
  const match = /viewItem\s*=~\s*\/(.*?)\/([gimsuy]*)(?:\s|$|\))/.exec(when ?? '');
  return match ? new RegExp(match[1] ?? '', match[2]) : undefined;
}

describe('state → actions table against package.json menus', () => {
  for (const row of workspaceActions) {
    it(`${row.command}: every row menu offers it in exactly the states the table allows`, () => {
      assert.ok(
        manifest.contributes.commands.some((entry) => entry.command === row.command),
        `${row.command} is not a contributed command`,
      );
      const entries = itemMenus.filter((entry) => entry.command === row.command);
      assert.ok(entries.length > 0, `${row.command} has no view/item/context entry`);
      for (const entry of entries) {
        const regex = viewItemRegex(entry.when);
        assert.ok(regex, `${row.command}: no viewItem regex in "${entry.when}"`);
        // contextValue is `workspace.<state>`, with `.unhealthy` appended by a failing health check (tree/nodes.ts).
        const offered = workspaceStates.filter((state) => regex.test(`workspace.${state}`));
        assert.deepEqual(
          offered,
          workspaceStates.filter((state) => row.states.includes(state)),
          `${row.command}: menu ${regex} vs table`,
        );
        for (const state of workspaceStates) {
          assert.equal(regex.test(`workspace.${state}.unhealthy`), row.states.includes(state), `${row.command} on an unhealthy ${state} row`);
          assert.equal(regex.test(`otherContainer.${state}`), false, `${row.command} offered on a non-AICLI container`);
        }
      }
    });
  }
});

describe('state → actions table for a multi-selection', () => {
  const selection = [
    { name: 'a', state: 'running' as const },
    { name: 'b', state: 'exited' as const },
    { name: 'c', state: 'paused' as const },
  ];

  it('acts only on the workspaces the action fits and names the ones it skipped', () => {
    const { fitting, skipped } = splitByAction('pause', selection);
    assert.deepEqual(
      fitting.map((ws) => ws.name),
      ['a'],
    );
    assert.deepEqual(
      skipped.map((ws) => ws.name),
      ['b', 'c'],
    );
    assert.equal(skippedNote('pause', skipped), 'Pause skipped b (exited), c (paused): it applies to running workspaces.');
    assert.equal(
      skippedNote('stop', splitByAction('stop', selection).skipped),
      'Stop skipped b (exited): it applies to running, restarting or paused workspaces.',
    );
  });

  it('says nothing when the whole selection fits, and Remove fits every state', () => {
    assert.equal(skippedNote('remove', splitByAction('remove', selection).skipped), undefined);
    assert.ok(workspaceStates.every((state) => actionFits('remove', { state })));
  });

  it('does not offer Restart on a dead workspace: the engine refuses to start one', () => {
    assert.equal(actionFits('restart', { state: 'dead' }), false);
    assert.equal(actionFits('restart', { state: 'exited' }), true);
  });
});
