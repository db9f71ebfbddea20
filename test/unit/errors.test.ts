import * as assert from 'node:assert/strict';
import { EngineError, toEngineError } from '../../src/engine/errors';

const host = 'unix:///var/run/docker.sock';

function mapped(err: object): EngineError {
  return toEngineError(Object.assign(new Error((err as { message?: string }).message ?? 'x'), err), host);
}

describe('toEngineError', () => {
  it('maps a missing or refusing socket to "not running" with a retry action', () => {
    for (const code of ['ENOENT', 'ECONNREFUSED']) {
      const err = mapped({ code, message: `connect ${code} /var/run/docker.sock` });
      assert.equal(err.kind, 'notRunning');
      assert.match(err.message, /Docker engine at unix:\/\/\/var\/run\/docker\.sock is not running/);
      assert.match(err.suggestion, /Start Docker/);
      assert.deepEqual(
        err.actions.map((a) => a.id),
        ['retry', 'openSettings', 'showLog'],
      );
    }
  });

  it('maps EACCES to permission denied with the docker group advice', () => {
    const err = mapped({ code: 'EACCES' });
    assert.equal(err.kind, 'permissionDenied');
    assert.match(err.suggestion, /docker` group/);
  });

  it('maps certificate failures to TLS', () => {
    assert.equal(mapped({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT', message: 'self-signed certificate' }).kind, 'tls');
    assert.equal(mapped({ code: 'ERR_SSL_WRONG_VERSION_NUMBER' }).kind, 'tls');
  });

  it('maps timeouts', () => {
    assert.equal(mapped({ code: 'ETIMEDOUT' }).kind, 'timeout');
    assert.equal(mapped({ message: 'Timeout of 500 ms exceeded' }).kind, 'timeout');
  });

  it('maps the engine refusing our API version', () => {
    const err = mapped({ statusCode: 400, json: { message: 'client version 1.99 is too new. Maximum supported API version is 1.41' } });
    assert.equal(err.kind, 'apiTooOld');
    assert.match(err.message, /too new/);
  });

  it('maps 404 and 409 and keeps the engine message', () => {
    const gone = mapped({ statusCode: 404, json: { message: 'No such container: abc' } });
    assert.equal(gone.kind, 'notFound');
    assert.equal(gone.message, 'No such container: abc');
    assert.equal(mapped({ statusCode: 409, json: { message: 'name in use' } }).kind, 'conflict');
  });

  it('keeps other engine errors readable and passes EngineErrors through', () => {
    const other = mapped({ statusCode: 500, json: { message: 'driver failed' } });
    assert.equal(other.kind, 'engine');
    assert.match(other.userMessage, /reported an error: driver failed See the AICLI Workspaces log/);
    assert.equal(toEngineError(other, host), other);
  });
});
