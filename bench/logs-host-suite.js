// Runs inside the extension host (bench/logs.mjs --host): "Show Logs" on a container that
// printed N lines, timed until every line is in the output channel, with the extension
// host's own CPU over that time.
const { writeFileSync } = require('node:fs');
const vscode = require('vscode');

exports.run = async function run() {
  const lineCount = Number(process.env.AICLI_BENCH_LINES);
  const results = process.env.AICLI_E2E_RESULTS;
  try {
    const api = await vscode.extensions.getExtension('aicli.aicli-workspaces').activate();
    // The whole log is the history here: the channel shows aicli.logs.tail lines first.
    await vscode.workspace.getConfiguration('aicli.logs').update('tail', lineCount + 10, vscode.ConfigurationTarget.Global);
    const connection = await api.scopes.byName(undefined).engine.connection();
    const id = `logbench${process.pid}`;
    const container = await connection.docker.createContainer({
      Image: 'aicli/base:latest',
      Cmd: ['sh', '-c', `seq 1 ${lineCount}; sleep 3600`],
      Labels: { 'aicli.bench': 'true', 'aicli.managed': 'true', 'aicli.workspace.id': id, 'aicli.workspace.name': id },
      HostConfig: { Init: true },
    });
    await container.start();
    await new Promise((done) => setTimeout(done, 2000));
    const workspace = { id, name: id };
    const cpu = process.cpuUsage();
    const started = performance.now();
    await api.logChannels.show(workspace);
    const deadline = Date.now() + 120_000;
    while (api.logChannels.appendedLines(id) < lineCount) {
      if (Date.now() > deadline) throw new Error(`only ${api.logChannels.appendedLines(id)} of ${lineCount} lines in 120 s`);
      await new Promise((done) => setTimeout(done, 20));
    }
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    api.logChannels.close(id);
    await container.remove({ force: true });
    writeFileSync(process.env.AICLI_BENCH_OUT, JSON.stringify({ seconds, cpuSeconds: (used.user + used.system) / 1e6 }));
    writeFileSync(results, JSON.stringify({ passed: 1, failed: 0, failures: [] }));
  } catch (err) {
    writeFileSync(results, JSON.stringify({ passed: 0, failed: 1, failures: [{ title: 'log bench', error: String((err && err.stack) || err) }] }));
    throw err;
  }
};
