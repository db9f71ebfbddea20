import * as assert from 'node:assert/strict';
import { InputError } from '../../src/engine/errors';
import { defaultResources, parseCpus, parseMemory, parsePositiveInteger, parseResources, parseSize } from '../../src/isolation/resources';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

function refused(fn: () => unknown, field: string, message: string | RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof InputError, `not an InputError: ${String(err)}`);
    assert.equal(err.field, field);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}

describe('parseSize', () => {
  it('parses docker-style sizes in binary units', () => {
    assert.equal(parseSize('512m', 'memory'), 536870912);
    assert.equal(parseSize('1g', 'memory'), GiB);
    assert.equal(parseSize('1024k', 'memory'), MiB);
    assert.equal(parseSize('100', 'memory'), 100);
    assert.equal(parseSize('100b', 'memory'), 100);
    assert.equal(parseSize('1.5g', 'memory'), 1.5 * GiB);
    assert.equal(parseSize(' 2G ', 'memory'), 2 * GiB);
    assert.equal(parseSize('512 m', 'memory'), 512 * MiB);
    assert.equal(parseSize(1048576, 'memory'), MiB);
  });

  it('accepts the MB / MiB spellings', () => {
    assert.equal(parseSize('512MB', 'memory'), 512 * MiB);
    assert.equal(parseSize('512mib', 'memory'), 512 * MiB);
    assert.equal(parseSize('2GiB', 'memory'), 2 * GiB);
    assert.equal(parseSize('64kb', 'memory'), 64 * 1024);
  });

  it('rounds fractional bytes down', () => {
    assert.equal(parseSize('0.1k', 'memory'), 102);
  });

  it('refuses garbage, zero, negatives and unknown units with the field name', () => {
    for (const raw of ['abc', '-1', '0', '0m', '', '   ', '1x', '1t', '1e3', 'm', '.5g', '1.g', '0.5']) {
      refused(() => parseSize(raw, 'memory'), 'memory', `memory "${raw}" is not a size: use a positive number with an optional unit, like 512m or 2g.`);
    }
    refused(() => parseSize(-5, 'shm'), 'shm', 'shm "-5" is not a size: use a positive number with an optional unit, like 512m or 2g.');
  });
});

describe('parseCpus', () => {
  it('parses fractional and whole counts from strings and numbers', () => {
    assert.equal(parseCpus(0.5, 'cpus'), 0.5);
    assert.equal(parseCpus('2', 'cpus'), 2);
    assert.equal(parseCpus(' 1.25 ', 'cpus'), 1.25);
    assert.equal(parseCpus('0.01', 'cpus'), 0.01);
    assert.equal(parseCpus('4', 'cpus', 4), 4);
  });

  it('refuses non-numbers, zero, negatives and too-small values', () => {
    for (const raw of ['abc', -1, 0, '0', '0.001', '', '1e2', '1,5', 'NaN', 'Infinity']) {
      refused(() => parseCpus(raw, 'cpus'), 'cpus', `cpus "${raw}" is not a CPU count: use a positive number such as 0.5 or 2.`);
    }
  });

  it('refuses more CPUs than the host has, naming the host count', () => {
    refused(() => parseCpus('8', 'cpus', 4), 'cpus', 'cpus 8 is more than the engine has (4 CPUs): use 4 or less.');
    refused(() => parseCpus(2.5, 'cpus', 2), 'cpus', 'cpus 2.5 is more than the engine has (2 CPUs): use 2 or less.');
  });

  it('does not cap when the host count is unknown', () => {
    assert.equal(parseCpus('64', 'cpus'), 64);
    assert.equal(parseCpus('64', 'cpus', 0), 64);
  });

  it('refuses more memory than the engine has, as for CPUs, and does not cap when that is unknown', () => {
    refused(() => parseMemory('32g', 16 * 1024 * MiB), 'memory', 'memory "32g" is more than the engine has (16 GiB): use less.');
    refused(() => parseResources({ memory: '3g' }, undefined, 2 * 1024 * MiB), 'memory', 'memory "3g" is more than the engine has (2.0 GiB): use less.');
    assert.equal(parseMemory('32g'), 32 * 1024 * MiB);
  });
});

describe('parsePositiveInteger', () => {
  it('parses whole numbers within range', () => {
    assert.equal(parsePositiveInteger('100', 'pidsLimit'), 100);
    assert.equal(parsePositiveInteger(1, 'pidsLimit'), 1);
    assert.equal(parsePositiveInteger(' 1000 ', 'blkioWeight', 1000), 1000);
  });

  it('refuses zero, negatives, fractions, garbage and values above the maximum', () => {
    for (const raw of ['0', 0, '-1', '1.5', '1.0', 'abc', '', '1e3']) {
      refused(() => parsePositiveInteger(raw, 'pidsLimit', 5000), 'pidsLimit', `pidsLimit "${raw}" must be a whole number from 1 to 5000.`);
    }
    refused(() => parsePositiveInteger('1001', 'blkioWeight', 1000), 'blkioWeight', 'blkioWeight "1001" must be a whole number from 1 to 1000.');
  });
});

describe('parseResources', () => {
  const defaultIo = { readBps: 100 * MiB, writeBps: 100 * MiB, readIops: 1000, writeIops: 1000 };

  it('applies the defaults: 1 CPU, 512m, 100 pids, blkio 500, I/O 100 MiB/s and 1000 IOPS each way', () => {
    assert.deepEqual(defaultResources, {
      cpus: '1.0',
      memory: '512m',
      pidsLimit: 100,
      blkioWeight: 500,
      ioReadBps: '100m',
      ioWriteBps: '100m',
      ioReadIops: 1000,
      ioWriteIops: 1000,
      disk: '1g',
    });
    assert.deepEqual(parseResources({}), { cpus: 1, memoryBytes: 512 * MiB, pidsLimit: 100, blkioWeight: 500, io: defaultIo, diskBytes: 1024 * MiB });
  });

  it('uses the given values', () => {
    assert.deepEqual(parseResources({ cpus: '0.5', memory: '2g', pidsLimit: '256', blkioWeight: 1000 }, 8), {
      cpus: 0.5,
      memoryBytes: 2 * GiB,
      pidsLimit: 256,
      blkioWeight: 1000,
      io: defaultIo,
      diskBytes: 1024 * MiB,
    });
  });

  it('names the field that is wrong', () => {
    refused(() => parseResources({ cpus: 'lots' }), 'cpus', /cpus "lots"/);
    refused(() => parseResources({ cpus: '16' }, 4), 'cpus', /\(4 CPUs\)/);
    refused(() => parseResources({ memory: '1x' }), 'memory', /memory "1x"/);
    refused(() => parseResources({ pidsLimit: '0' }), 'pidsLimit', /pidsLimit "0"/);
    refused(() => parseResources({ blkioWeight: '2000' }), 'blkioWeight', /from 1 to 1000/);
  });
});
