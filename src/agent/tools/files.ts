import { z } from 'zod';
import { listBoxFiles, readBoxFile, writeBoxFile } from '../boxFiles';
import { boxPath, shownPath } from '../boxPaths';
import { defineTool, runningWorkspace, workspaceArgument } from '../tool';

const pathArgument = z.string().describe('Path relative to /workspace, or absolute under /workspace.');
/** Entries one listing returns at most. */
export const listingCap = 1000;
/** Characters one write takes at most: the whole content travels in one MCP message and one exec. */
export const writeCap = 8 * 1024 * 1024;

export const workspaceReadFile = defineTool({
  name: 'workspace_read_file',
  title: 'Read a file in a workspace',
  description:
    "Reads a text file inside /workspace of the box (as the box's user; up to the output cap, 64 KiB unless the person changed it, with a marker when cut).",
  input: z.strictObject({ workspace: workspaceArgument, path: pathArgument }),
  readOnly: true,
  destructive: false,
  async run(host, args) {
    const path = boxPath(args.path);
    const workspace = await runningWorkspace(host, args.workspace);
    const cap = host.policy.outputCapBytes;
    const file = await readBoxFile(await host.scope.connection(), workspace, path, cap);
    const note = file.truncated ? `\n[truncated: showing ${cap} of ${file.size} bytes; read the rest through workspace_exec, e.g. tail -c +${cap + 1}]` : '';
    return {
      text: `${file.text}${note}`,
      data: { path: shownPath(path), size: file.size, truncated: file.truncated, content: file.text },
      workspace: workspace.name,
      summary: `read ${shownPath(path)} (${file.size} bytes)`,
    };
  },
});

export const workspaceWriteFile = defineTool({
  name: 'workspace_write_file',
  title: 'Write a file in a workspace',
  description:
    "Writes a text file inside /workspace of the box (as the box's user), making folders on the way. In review mode it lands in the box's view only; a person reviews and applies it to the folder.",
  input: z.strictObject({
    workspace: workspaceArgument,
    path: pathArgument,
    content: z
      .string()
      .max(writeCap, `content is over ${writeCap} characters; write a large file through workspace_exec (for example a generator script)`)
      .describe('The whole new content (UTF-8 text).'),
  }),
  readOnly: false,
  destructive: false,
  async run(host, args) {
    const path = boxPath(args.path);
    const workspace = await runningWorkspace(host, args.workspace);
    const bytes = await writeBoxFile(await host.scope.connection(), workspace, path, args.content);
    return {
      text: `Wrote ${bytes} bytes to ${shownPath(path)} in ${workspace.name}.`,
      data: { path: shownPath(path), bytes },
      workspace: workspace.name,
      summary: `wrote ${shownPath(path)} (${bytes} bytes)`,
    };
  },
});

export const workspaceListFiles = defineTool({
  name: 'workspace_list_files',
  title: 'List files in a workspace',
  description: `Lists a folder inside /workspace of the box (files with sizes, folders, links), to a depth (default 1, at most 5); at most ${listingCap} entries.`,
  input: z.strictObject({
    workspace: workspaceArgument,
    path: pathArgument.optional().describe('Folder relative to /workspace (default: /workspace itself).'),
    depth: z.number().int().min(1).max(5).optional().describe('How many levels down (default 1).'),
  }),
  readOnly: true,
  destructive: false,
  async run(host, args) {
    const path = boxPath(args.path ?? '.');
    const workspace = await runningWorkspace(host, args.workspace);
    const all = await listBoxFiles(await host.scope.connection(), workspace, path, args.depth ?? 1, listingCap);
    const entries = all.slice(0, listingCap);
    const line = (entry: (typeof entries)[number]): string =>
      entry.type === 'directory' ? `${entry.path}/` : entry.type === 'symlink' ? `${entry.path} (symbolic link)` : `${entry.path}  ${entry.size} bytes`;
    const more = all.length > entries.length ? `\n[truncated: more than ${listingCap} entries; list a subfolder or a smaller depth]` : '';
    return {
      text: entries.length ? `${entries.map(line).join('\n')}${more}` : `${shownPath(path)} is empty.`,
      data: { path: shownPath(path), entries, truncated: all.length > entries.length },
      workspace: workspace.name,
      summary: `listed ${shownPath(path)} (${entries.length}${all.length > entries.length ? '+' : ''} entries)`,
    };
  },
});
