import * as assert from 'node:assert/strict';
import { checkEnvironment, parseEnvironment } from '../../src/workspace/environment';

describe('workspace environment entries', () => {
  it('reads NAME=value, keeping an empty value and "=" inside the value', () => {
    assert.deepEqual(parseEnvironment(['APP_ENV=dev', 'EMPTY=', 'URL=http://x/?a=b']), { APP_ENV: 'dev', EMPTY: '', URL: 'http://x/?a=b' });
  });

  it('refuses what is not NAME=value, a bad or reserved name, and a name given twice', () => {
    assert.throws(() => parseEnvironment(['JUSTANAME']), /"JUSTANAME" must look like NAME=value/);
    assert.throws(() => parseEnvironment(['1ST=a']), /"1ST" is not a variable name/);
    assert.throws(() => parseEnvironment(['MY-VAR=a']), /"MY-VAR" is not a variable name/);
    assert.throws(() => parseEnvironment(['WORKSPACE_ID=x']), /WORKSPACE_ID is set by AICLI itself/);
    assert.throws(() => parseEnvironment(['A=1', 'A=2']), /A is given twice/);
  });

  it('checks an object of variables by the same rules', () => {
    assert.deepEqual(checkEnvironment({ GREETING: 'hi' }), { GREETING: 'hi' });
    assert.throws(() => checkEnvironment({ 'BAD NAME': 'x' }), /"BAD NAME" is not a variable name/);
  });
});
