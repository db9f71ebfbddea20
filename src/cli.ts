// aicli-ws: the core from a shell. The verbs are in cli/commands/, the dispatcher in cli/main.ts.
import { main } from './cli/main';

export { main };

/**
 * Exits once stdout and stderr have handed everything to the OS. Node writes to a pipe
 * asynchronously, and process.exit() right away drops what is still queued: a reader slower
 * than us (`aicli-ws audit --json | less`) got the first 64 KiB only. The exit itself stays
 * explicit, as an engine connection's keep-alive socket could hold the process open.
 */
function exitAfterOutput(code: number): void {
  process.exitCode = code;
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

if (require.main === module) {
  void main(process.argv.slice(2)).then(exitAfterOutput);
}
