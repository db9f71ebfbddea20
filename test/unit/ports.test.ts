import * as assert from 'node:assert/strict';
import { InputError } from '../../src/engine/errors';
import { checkNoDuplicateHostPorts, defaultBlockedPorts, defaultPortPolicy, parsePortMapping, PortMapping, PortPolicy } from '../../src/isolation/ports';

function refused(spec: string, fragment: RegExp, policy?: PortPolicy): void {
  assert.throws(
    () => parsePortMapping(spec, policy),
    (err: unknown) => err instanceof InputError && err.field === 'publish' && fragment.test(err.message),
    `expected "${spec}" to be refused with ${fragment}`,
  );
}

describe('parsePortMapping', () => {
  it('accepts HOST:CONTAINER and only checks the host side', () => {
    assert.deepEqual(parsePortMapping('8888:8080'), { hostIp: '127.0.0.1', hostPort: 8888, containerPort: 8080, protocol: 'tcp' });
    assert.deepEqual(parsePortMapping('13000:22'), { hostIp: '127.0.0.1', hostPort: 13000, containerPort: 22, protocol: 'tcp' });
    assert.deepEqual(parsePortMapping(' 65535:1 '), { hostIp: '127.0.0.1', hostPort: 65535, containerPort: 1, protocol: 'tcp' });
  });

  it('uses the same port on both sides for a bare port', () => {
    assert.deepEqual(parsePortMapping('9000'), { hostIp: '127.0.0.1', hostPort: 9000, containerPort: 9000, protocol: 'tcp' });
    assert.equal(parsePortMapping('1024').hostPort, 1024);
  });

  it('refuses "22:22" as blocked with a concrete suggestion', () => {
    assert.throws(() => parsePortMapping('22:22'), {
      name: 'InputError',
      field: 'publish',
      message: 'Port mapping "22:22": host port 22 is blocked by aicli.network.blockedPorts; publish on another host port, e.g. 8022:22.',
    });
  });

  it('suggests a host port that is itself accepted', () => {
    for (const spec of ['80:80', '22:22', '443:443', '21:21', '8080:8080', '3000:3000', '8000:80']) {
      let message = '';
      try {
        parsePortMapping(spec);
      } catch (err) {
        message = (err as Error).message;
      }
      const suggestion = /e\.g\. (\S+)\.$/.exec(message)?.[1];
      assert.ok(suggestion, `no suggestion for ${spec}: ${message}`);
      assert.doesNotThrow(() => parsePortMapping(suggestion), `suggestion ${suggestion} for ${spec} is refused too`);
    }
  });

  it('refuses every host port below 1024', () => {
    for (const host of [1, 21, 53, 1023])
      refused(`${host}:9000`, new RegExp(`host port ${host} is privileged \\(below 1024\\); choose 1024 or above, e\\.g\\. \\d+:9000`));
    refused('1023', /privileged/);
  });

  it('refuses each default blocked port at or above 1024 as a host port, naming the setting', () => {
    assert.deepEqual(defaultBlockedPorts, [22, 80, 443, 3000, 8000, 8080]);
    assert.throws(() => parsePortMapping('8080:8080'), {
      field: 'publish',
      message: 'Port mapping "8080:8080": host port 8080 is blocked by aicli.network.blockedPorts; publish on another host port, e.g. 16080:8080.',
    });
    for (const port of [3000, 8000, 8080]) {
      refused(
        `${port}:5000`,
        new RegExp(`host port ${port} is blocked by aicli\\.network\\.blockedPorts; publish on another host port, e\\.g\\. \\d+:5000\\.`),
      );
      refused(`${port}`, /aicli\.network\.blockedPorts/);
      refused(`0.0.0.0:${port}:5000`, /aicli\.network\.blockedPorts/);
      refused(`${port}:5000/udp`, /aicli\.network\.blockedPorts/);
    }
  });

  it('refuses every default blocked port as a host port, naming the setting', () => {
    for (const port of defaultBlockedPorts) refused(`${port}:5000`, /aicli\.network\.blockedPorts/);
  });

  it('applies a custom blocked list, and suggests 18888 near the top of the range', () => {
    const policy: PortPolicy = { blockedPorts: [9999, 60000], publishAddress: '127.0.0.1' };
    refused('9999:80', /host port 9999 is blocked by aicli\.network\.blockedPorts; publish on another host port, e\.g\. 17999:80\./, policy);
    refused('60000:80', /e\.g\. 18888:80\./, policy);
    assert.equal(parsePortMapping('8080:80', policy).hostPort, 8080);
  });

  it('binds to 127.0.0.1 by default, the policy address otherwise, and an explicit IP first', () => {
    assert.equal(defaultPortPolicy.publishAddress, '127.0.0.1');
    assert.equal(parsePortMapping('8888:80').hostIp, '127.0.0.1');
    const policy: PortPolicy = { ...defaultPortPolicy, publishAddress: '0.0.0.0' };
    assert.equal(parsePortMapping('8888:80', policy).hostIp, '0.0.0.0');
    assert.deepEqual(parsePortMapping('192.168.1.5:8888:80', policy), { hostIp: '192.168.1.5', hostPort: 8888, containerPort: 80, protocol: 'tcp' });
    assert.equal(parsePortMapping('0.0.0.0:8888:80').hostIp, '0.0.0.0');
  });

  it('parses /udp and /tcp', () => {
    assert.deepEqual(parsePortMapping('5353:53/udp'), { hostIp: '127.0.0.1', hostPort: 5353, containerPort: 53, protocol: 'udp' });
    assert.equal(parsePortMapping('8888:80/tcp').protocol, 'tcp');
    assert.equal(parsePortMapping('127.0.0.1:5353:53/udp').protocol, 'udp');
  });

  it('refuses malformed mappings with field "publish"', () => {
    const shape = /must look like 8888:8080, 127\.0\.0\.1:8888:8080 or 8080\./;
    refused('abc', /"abc" is not a port from 1 to 65535\./);
    refused('1:2:3:4', shape);
    refused('8888:', shape);
    refused(':80', shape);
    refused('', shape);
    refused('0', /"0" is not a port from 1 to 65535\./);
    refused('70000', /"70000" is not a port from 1 to 65535\./);
    refused('8888:70000', /"70000" is not a port/);
    refused('8888:-1', /"-1" is not a port/);
    refused('8888:80.5', /"80\.5" is not a port/);
    refused('8888:80/sctp', /^Port mapping "8888:80\/sctp": protocol must be tcp or udp\.$/);
    refused('8888:80/', /protocol must be tcp or udp/);
    refused('8888:80/udp/x', /protocol must be tcp or udp/);
    refused('abc:8888:80', /"abc" is not an IPv4 address/);
  });
});

describe('checkNoDuplicateHostPorts', () => {
  const mapping = (spec: string): PortMapping => parsePortMapping(spec);

  it('accepts distinct host ports, the same port on tcp and udp, and the same port on two addresses', () => {
    checkNoDuplicateHostPorts([]);
    checkNoDuplicateHostPorts([mapping('8888:80'), mapping('8889:80'), mapping('8888:53/udp'), mapping('10.0.0.1:8888:80')]);
  });

  it('refuses a host port published twice', () => {
    assert.throws(() => checkNoDuplicateHostPorts([mapping('8888:80'), mapping('9000'), mapping('8888:81')]), {
      name: 'InputError',
      field: 'publish',
      message: 'Host port 8888/tcp is published twice; use one mapping per host port.',
    });
    assert.throws(() => checkNoDuplicateHostPorts([mapping('5353:53/udp'), mapping('5353:54/udp')]), /Host port 5353\/udp is published twice/);
  });
});
