import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDisplayOnlySetting, isUserOnlySetting, userOnlyKeysIn, userOnlySettingRules } from '../../src/isolation/userOnlySettings';
import { parseJsonc } from '../../src/ui/jsonc';
import { repoRoot } from '../support/paths';

interface SettingSchema {
  scope?: string;
  default?: unknown;
  description?: string;
  markdownDescription?: string;
}

interface PackageJson {
  contributes: { configuration: { properties: Record<string, SettingSchema> } };
  capabilities: { untrustedWorkspaces: { restrictedConfigurations: string[] } };
}

// Compiled to out/test/unit/: the repository root is three levels up.
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as PackageJson;
const properties = pkg.contributes.configuration.properties;
const keys = Object.keys(properties);
const userOnlyKeys = keys.filter(isUserOnlySetting);

describe('user-only settings: package.json against the table', () => {
  it('declares every key the table names with application scope', () => {
    for (const key of userOnlyKeys) assert.equal(properties[key]?.scope, 'application', `${key} must have "scope": "application"`);
  });

  it('leaves no rule of the table without a declared key (a typo would protect nothing)', () => {
    for (const rule of userOnlySettingRules)
      assert.ok(
        keys.some((key) => (rule.endsWith('.') ? key.startsWith(rule) : key === rule)),
        `no setting matches ${rule}`,
      );
  });

  it('says "User settings only" in the description of each user-only key', () => {
    for (const key of userOnlyKeys) {
      const text = properties[key]?.markdownDescription ?? properties[key]?.description ?? '';
      assert.match(text, /User settings only \(a folder cannot set it\)/, key);
    }
  });

  it('keeps every other aicli key window-scoped and in the display-only list', () => {
    const others = keys.filter((key) => !isUserOnlySetting(key));
    assert.ok(others.length > 0);
    for (const key of others) {
      assert.ok(key.startsWith('aicli.'), key);
      assert.notEqual(properties[key]?.scope, 'application', `${key} is application-scoped but not in the table`);
      assert.notEqual(properties[key]?.scope, 'machine', `${key} is machine-scoped but not in the table`);
      assert.ok(isDisplayOnlySetting(key), `${key} is in neither list: decide whether a folder may set it`);
    }
  });

  it('restricts exactly the user-only keys in untrusted workspaces', () => {
    assert.deepEqual([...pkg.capabilities.untrustedWorkspaces.restrictedConfigurations].sort(), [...userOnlyKeys].sort());
  });

  it('gives every aicli key a default (a declared key is told from an unknown one by it)', () => {
    for (const key of keys) assert.notEqual(properties[key]?.default, undefined, key);
  });

  it('covers the keys that weaken a workspace, and not the display ones', () => {
    for (const key of [
      'aicli.workspace.mountDockerSocket',
      'aicli.isolation.level',
      'aicli.docker.host',
      'aicli.network.blockedPorts',
      'aicli.network.egress',
      'aicli.network.allowedHosts',
      'aicli.workspace.protectedPaths',
      'aicli.monitor.onBreach',
      'aicli.terminal.env',
      'aicli.resources.memory',
      'aicli.engines',
    ]) {
      assert.ok(isUserOnlySetting(key), key);
    }
    for (const key of [
      'aicli.logs.tail',
      'aicli.tree.showOtherContainers',
      'aicli.statusBar.mode',
      'aicli.workspace.healthTimeout',
      'aicli.workspace',
      'aicli.docker',
      'aicli.enginesX',
    ]) {
      assert.ok(!isUserOnlySetting(key), key);
    }
  });
});

describe('userOnlyKeysIn', () => {
  it('finds flat keys and leaves display-only and foreign ones', () => {
    const settings = { 'aicli.workspace.mountDockerSocket': true, 'aicli.logs.tail': 7, 'editor.fontSize': 12, 'aicli.isolation.level': 'basic' };
    assert.deepEqual(userOnlyKeysIn(settings), ['aicli.workspace.mountDockerSocket', 'aicli.isolation.level']);
  });

  it('finds the nested forms VS Code also accepts, without descending into an object setting', () => {
    const settings = {
      aicli: { isolation: { level: 'basic' }, tree: { showOtherContainers: true } },
      'aicli.workspace': { mountDockerSocket: true, healthTimeout: 0 },
      'aicli.terminal.env': { FOO: '1' },
      'aicli.network': { blockedPorts: [] },
    };
    assert.deepEqual(userOnlyKeysIn(settings), [
      'aicli.isolation.level',
      'aicli.workspace.mountDockerSocket',
      'aicli.terminal.env',
      'aicli.network.blockedPorts',
    ]);
  });

  it('says a key set twice (flat and nested) once, and skips language sections', () => {
    const settings = { 'aicli.isolation.level': 'basic', aicli: { isolation: { level: 'basic' } }, '[python]': { 'aicli.isolation.level': 'basic' } };
    assert.deepEqual(userOnlyKeysIn(settings), ['aicli.isolation.level']);
  });

  it('returns nothing for what is not an object', () => {
    for (const value of [undefined, null, 3, 'x', []]) assert.deepEqual(userOnlyKeysIn(value), []);
  });
});

describe('parseJsonc', () => {
  it('reads a settings file with comments and trailing commas', () => {
    const text = `\uFEFF{
      // the box wrote this
      "aicli.workspace.mountDockerSocket": true, /* and this */
      "aicli.network.blockedPorts": [22, 80,],
    }`;
    assert.deepEqual(parseJsonc(text), { 'aicli.workspace.mountDockerSocket': true, 'aicli.network.blockedPorts': [22, 80] });
  });

  it('keeps comment markers, commas and escaped quotes inside strings', () => {
    const text = '{ "aicli.docker.host": "tcp://h:2376//x", "a": "/* no */", "b": "q\\"/,}" }';
    assert.deepEqual(parseJsonc(text), { 'aicli.docker.host': 'tcp://h:2376//x', a: '/* no */', b: 'q"/,}' });
  });

  it('reads an empty file as nothing and throws on broken JSON', () => {
    assert.equal(parseJsonc('  // only a comment\n'), undefined);
    assert.throws(() => parseJsonc('{ "a": }'));
  });
});
