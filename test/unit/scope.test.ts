import * as assert from 'node:assert/strict';
import { defaultEngineName, EngineEntry, EngineSet } from '../../src/engine/engines';
import { EngineError } from '../../src/engine/errors';
import { resolveEngineTarget } from '../../src/engine/target';
import { defaultMonitorSettings } from '../../src/monitor/settings';
import { defaultPortPolicy } from '../../src/isolation/ports';
import { EngineScope, EngineScopes } from '../../src/workspace/scope';

// Engines that are never started: nothing here reaches an engine.
function scopesOver(entries: EngineEntry[]): { scopes: EngineScopes; engines: EngineSet; setEntries: (next: EngineEntry[]) => void } {
  let current = entries;
  const defaultTarget = () =>
    resolveEngineTarget({ host: 'unix:///nonexistent/docker.sock', apiVersion: '', timeoutMs: 1000, tlsVerify: 'off', certPath: '' }, {}, '/tmp');
  const engines = new EngineSet(
    defaultTarget,
    () => current,
    () => 1000,
  );
  const options = {
    policy: () => ({
      defaultImage: 'x',
      defaultLevel: 'standard' as const,
      resources: {},
      ports: defaultPortPolicy,
      mountEngineSocket: false,
      home: '/tmp',
      protectedPaths: [],
    }),
    monitorSettings: () => defaultMonitorSettings,
  };
  const scopes = new EngineScopes(engines, (named) => new EngineScope(named.name, named.engine, options));
  return { scopes, engines, setEntries: (next) => (current = next) };
}

describe('engine scopes', () => {
  it('one scope per engine; a workspace finds its own engine, and one of no engine name the default engine', () => {
    const { scopes, engines } = scopesOver([{ name: 'build-box', host: 'tcp://127.0.0.1:1' }]);
    assert.deepEqual(
      scopes.all.map((scope) => scope.name),
      [defaultEngineName, 'build-box'],
    );
    assert.equal(scopes.of({ engine: 'build-box' }).engine, engines.get('build-box'));
    assert.equal(scopes.of({ engine: undefined }).engine, engines.default);
    assert.equal(scopes.of({ engine: 'build-box' }).engineName, 'build-box');
    assert.equal(scopes.of({ engine: undefined }).engineName, undefined);
    scopes.dispose();
    engines.dispose();
  });

  it('an engine name no scope has is an error that names the engines there are, never another engine in its place', () => {
    const { scopes, engines } = scopesOver([{ name: 'build-box', host: 'tcp://127.0.0.1:1' }]);
    assert.throws(
      () => scopes.of({ engine: 'gone' }),
      (err: unknown) => err instanceof EngineError && /no engine named "gone"/.test(err.message) && /default, build-box/.test(err.userMessage),
    );
    assert.equal(scopes.ofContainer('f'.repeat(64)), undefined);
    assert.throws(() => scopes.holding('f'.repeat(64)), /No engine has the container ffffffffffff/);
    scopes.dispose();
    engines.dispose();
  });

  it('a removed engine takes its scope along; a workspace of it is no longer routed anywhere', () => {
    const { scopes, engines, setEntries } = scopesOver([{ name: 'build-box', host: 'tcp://127.0.0.1:1' }]);
    const old = scopes.byName('build-box');
    let changes = 0;
    scopes.onDidChange(() => changes++);
    setEntries([]);
    engines.reconfigure();
    assert.equal(changes, 1);
    assert.deepEqual(
      scopes.all.map((scope) => scope.name),
      [defaultEngineName],
    );
    assert.throws(() => scopes.of({ engine: 'build-box' }), EngineError);
    assert.notEqual(scopes.byName(defaultEngineName), old);
    scopes.dispose();
    engines.dispose();
  });
});
