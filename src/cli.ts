// aicli-ws: the core from a shell. The verbs are in cli/commands/, the dispatcher in cli/main.ts.
import { main } from './cli/main';

export { main };

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
