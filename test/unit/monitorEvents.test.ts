import * as assert from 'node:assert/strict';
import { DockerEvent } from '../../src/engine/events';
import { ContainerEventRules } from '../../src/monitor/events';
import { containerEvent } from '../support/dockerEvents';

let clock = 0;
function event(action: string, attributes: Record<string, string> = {}, atMs?: number): DockerEvent {
  clock = atMs ?? clock + 100;
  return containerEvent('c1', action, { 'aicli.managed': 'true', ...attributes }, clock);
}
const raised = (rules: ContainerEventRules, e: DockerEvent): string[] => rules.onEvent(e).raise.map((a) => `${a.rule}:${a.severity}`);

describe('container event rules', () => {
  beforeEach(() => (clock = 1_000_000));

  it('oom → error resource_violation on the oom line, dated by the engine', () => {
    const rules = new ContainerEventRules();
    const e = event('oom');
    const [alert] = rules.onEvent(e).raise;
    assert.deepEqual(
      [alert?.rule, alert?.type, alert?.severity, alert?.policyItem, alert?.conditionAt],
      ['event.oom', 'resource_violation', 'error', 'oom', 1_000_100],
    );
  });

  it('a stop (kill 15, die 143, stop) and a slow stop (kill 15, kill 9, die 137) raise nothing', () => {
    const rules = new ContainerEventRules();
    assert.deepEqual(
      [event('kill', { signal: '15' }), event('die', { exitCode: '143' }), event('stop')].flatMap((e) => raised(rules, e)),
      [],
    );
    assert.deepEqual(
      [
        event('start'),
        event('kill', { signal: '15' }),
        event('kill', { signal: '9' }, clock + 10_000),
        event('die', { exitCode: '137' }),
        event('stop'),
      ].flatMap((e) => raised(rules, e)),
      [],
    );
  });

  it('exit codes 129/130/143 are ignored even without a kill event; 0 is fine', () => {
    const rules = new ContainerEventRules();
    for (const code of ['0', '129', '130', '143']) assert.deepEqual(raised(rules, event('die', { exitCode: code })), []);
  });

  it('a crash (die 1) → warning, cleared by the next start; after an oom, 137 says so', () => {
    const rules = new ContainerEventRules();
    assert.deepEqual(raised(rules, event('die', { exitCode: '1' })), ['event.die:warning']);
    assert.deepEqual(rules.onEvent(event('start')).clear, ['event.die', 'event.oom']);
    rules.onEvent(event('oom'));
    const [alert] = rules.onEvent(event('die', { exitCode: '137' })).raise;
    assert.match(alert?.message ?? '', /memory limit/);
  });

  it('a kill long ago does not excuse a later crash', () => {
    const rules = new ContainerEventRules();
    rules.onEvent(event('kill', { signal: '1' }));
    assert.deepEqual(raised(rules, event('die', { exitCode: '2' }, clock + 60_000)), ['event.die:warning']);
  });

  it('restart loop: the third automatic restart within 60 s → error dated at the first; a stop clears it', () => {
    const rules = new ContainerEventRules();
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      seen.push(...raised(rules, event('die', { exitCode: '1' }, clock + 5_000)));
      seen.push(...raised(rules, event('start')));
    }
    assert.deepEqual(seen, ['event.die:warning', 'event.die:warning', 'event.die:warning', 'event.restarts:error']);
    assert.deepEqual(rules.onEvent(event('stop')).clear, ['event.restarts']);
  });

  it('restarts spread over more than 60 s, or after user stops, are no loop', () => {
    const slow = new ContainerEventRules();
    const loops = (rules: ContainerEventRules, events: DockerEvent[]): string[] =>
      events.flatMap((e) => raised(rules, e)).filter((r) => r.startsWith('event.restarts'));
    assert.deepEqual(
      loops(
        slow,
        [0, 1, 2, 3].flatMap((i) => [event('die', { exitCode: '1' }, 1_000_000 + i * 31_000), event('start')]),
      ),
      [],
    );
    const manual = new ContainerEventRules();
    assert.deepEqual(
      loops(
        manual,
        [0, 1, 2, 3].flatMap(() => [event('kill', { signal: '15' }), event('die', { exitCode: '143' }), event('stop'), event('start'), event('restart')]),
      ),
      [],
    );
  });

  it('health: unhealthy → warning, healthy clears; destroy clears everything', () => {
    const rules = new ContainerEventRules();
    assert.deepEqual(raised(rules, event('health_status: unhealthy')), ['event.health:warning']);
    assert.deepEqual(rules.onEvent(event('health_status: healthy')).clear, ['event.health']);
    assert.equal(rules.onEvent(event('destroy')).clearAll, true);
  });

  it('other event types are ignored', () => {
    const rules = new ContainerEventRules();
    assert.deepEqual(rules.onEvent({ ...event('oom'), Type: 'network' }), { raise: [], clear: [] });
  });
});
