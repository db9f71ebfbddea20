// Suite runner loaded by the extension host (payload extensionTestsPath). Runs every *.test.js beside it
// and writes { passed, failed, failures } JSON to $AICLI_E2E_RESULTS for the harness to read.
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';

interface Failure {
  title: string;
  error: string;
}

function writeResults(passed: number, failed: number, failures: Failure[]): void {
  const file = process.env.AICLI_E2E_RESULTS;
  if (!file) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ passed, failed, failures }, null, 2));
}

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec' });
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.js'))
    .sort();
  for (const f of files) mocha.addFile(path.join(__dirname, f));
  const failures: Failure[] = [];
  return new Promise<void>((resolve, reject) => {
    try {
      const runner = mocha.run((failed) => {
        const passed = runner.stats?.passes ?? 0;
        try {
          writeResults(passed, failed, failures);
        } catch (err) {
          reject(err);
          return;
        }
        if (failed > 0) reject(new Error(`${failed} extension host test(s) failed`));
        else if (files.length === 0) reject(new Error(`no *.test.js in ${__dirname}`));
        else resolve();
      });
      runner.on('fail', (test, err: Error) => {
        failures.push({ title: test.fullTitle(), error: err.stack ?? String(err) });
      });
    } catch (err) {
      const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
      writeResults(0, 1, [{ title: 'loading the suite', error }]);
      reject(err);
    }
  });
}
