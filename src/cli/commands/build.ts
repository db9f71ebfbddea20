import { buildImage } from '../../workspace/build';
import { shortImageId } from '../../workspace/images';
import { single, UsageError } from '../args';
import { Command } from '../command';
import { labelArguments } from '../options';

export const build: Command = {
  names: ['build'],
  synopsis: ['CONTEXT --tag T [--file DOCKERFILE] [--label K=V]... [--json]'],
  description: ['Build an image (labelled aicli.managed=true) from a folder,', 'honouring its .dockerignore; build output on stderr'],
  values: ['--tag', '--file', '--label'],
  async run({ args, scope, json }) {
    const context = args.positional[1];
    const tag = single(args, '--tag');
    if (!context || !tag) throw new UsageError('build needs a context folder and --tag, e.g. build . --tag my-project:latest');
    const request = { context, tag, dockerfile: single(args, '--file'), labels: labelArguments(args) };
    const built = await buildImage(await (await scope()).connection(), request, (line) => console.error(line));
    console.log(json ? JSON.stringify(built, null, 2) : `Built ${built.tag} (${shortImageId(built.imageId)})`);
    return 0;
  },
};
