import { Command } from '../command';
import { imageRow } from '../images';
import { table } from '../output';

export const images: Command = {
  names: ['images'],
  synopsis: ['[--json]'],
  description: ['Local images with size and the workspaces that use them'],
  async run({ scope, json }) {
    const local = await (await scope()).images.list();
    if (json) console.log(JSON.stringify(local, null, 2));
    else console.log(table(['IMAGE', 'ID', 'SIZE', 'CREATED', 'USED BY'], local.map(imageRow)));
    return 0;
  },
};
