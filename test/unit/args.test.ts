import * as assert from 'node:assert/strict';
import { parseArgs, single, UsageError } from '../../src/cli/args';

const valueFlags = ['--name', '--publish', '--folder'];
const booleanFlags = ['--json', '-h'];
const parse = (...argv: string[]) => parseArgs(argv, valueFlags, booleanFlags);

function usage(fn: () => unknown, message: string): void {
  assert.throws(fn, (err: unknown) => err instanceof UsageError && err.message === message, `expected UsageError "${message}"`);
}

describe('parseArgs', () => {
  it('collects positionals, value flags and booleans', () => {
    const args = parse('create', '--name', 'web', '--json', 'extra');
    assert.deepEqual(args.positional, ['create', 'extra']);
    assert.deepEqual([...args.values], [['--name', ['web']]]);
    assert.deepEqual([...args.booleans], ['--json']);
    assert.deepEqual(args.rest, []);
  });

  it('returns empty results for no arguments', () => {
    assert.deepEqual(parse(), { positional: [], values: new Map(), booleans: new Set(), rest: [] });
  });

  it('collects repeated value flags in order', () => {
    assert.deepEqual(parse('--publish', '8888:80', '--publish=9999:90', '--publish', '5353:53/udp').values.get('--publish'), [
      '8888:80',
      '9999:90',
      '5353:53/udp',
    ]);
  });

  it('splits --flag=value at the first "="', () => {
    assert.deepEqual(parse('--name=a=b').values.get('--name'), ['a=b']);
    assert.deepEqual(parse('--name=').values.get('--name'), ['']);
  });

  it('takes the next argument as the value, even if it looks like a flag', () => {
    assert.deepEqual(parse('--name', '--json').values.get('--name'), ['--json']);
    assert.equal(parse('--name', '--json').booleans.size, 0);
    assert.deepEqual(parse('--folder', '-').values.get('--folder'), ['-']);
  });

  it('refuses a value flag at the end', () => {
    usage(() => parse('create', '--name'), '--name needs a value.');
  });

  it('keeps everything after -- as the rest, unparsed', () => {
    const args = parse('exec', 'ws', '--', 'ls', '--json', '-la', '--');
    assert.deepEqual(args.positional, ['exec', 'ws']);
    assert.deepEqual(args.rest, ['ls', '--json', '-la', '--']);
    assert.equal(args.booleans.size, 0);
    assert.deepEqual(parse('--').rest, []);
  });

  it('refuses unknown options, long and short', () => {
    usage(() => parse('--nmae', 'x'), 'Unknown option --nmae.');
    usage(() => parse('-x'), 'Unknown option -x.');
    usage(() => parse('--verbose=1'), 'Unknown option --verbose=1.');
  });

  it('treats a lone "-" and short booleans as given', () => {
    assert.deepEqual(parse('-').positional, ['-']);
    assert.ok(parse('-h').booleans.has('-h'));
  });

  it('does not let --flag=value match a different flag by prefix', () => {
    usage(() => parse('--names=x'), 'Unknown option --names=x.');
  });
});

describe('single', () => {
  it('returns the one value, or undefined', () => {
    const args = parse('--name', 'web');
    assert.equal(single(args, '--name'), 'web');
    assert.equal(single(args, '--folder'), undefined);
  });

  it('refuses a flag given more than once', () => {
    usage(() => single(parse('--name', 'a', '--name=b'), '--name'), '--name is given more than once.');
  });
});
