import * as vscode from 'vscode';
import { agentErrorText } from '../../agent/invoke';
import type { FolderTool, ToolInput } from './folderTools';
import { createConfirmation, invocationMessage } from './messages';
import type { OpenFolderOptions, OpenFolderWorkspace } from './openFolderWorkspace';
import { folderToolNames } from './toolNames';

interface Runtime {
  workspaces: OpenFolderWorkspace;
  tool(name: string): FolderTool;
}

/** The tools and the open folder's workspace, loaded on the first call (not at activation: zod is in them). */
function lazyRuntime(options: OpenFolderOptions): () => Promise<Runtime> {
  let loaded: Promise<Runtime> | undefined;
  const load = async (): Promise<Runtime> => {
    const [{ OpenFolderWorkspace }, { folderTools }] = await Promise.all([import('./openFolderWorkspace'), import('./folderTools')]);
    const workspaces = new OpenFolderWorkspace(options);
    return {
      workspaces,
      tool: (name) => {
        const found = folderTools.find((tool) => tool.name === name);
        if (!found) throw new Error(`${name} is registered but not in folderTools`);
        return found;
      },
    };
  };
  return () => (loaded ??= load());
}

function folderLanguageModelTool(name: string, runtime: () => Promise<Runtime>): vscode.LanguageModelTool<ToolInput> {
  return {
    async prepareInvocation(options) {
      const input = options.input ?? {};
      const { workspaces, tool: named } = await runtime();
      const tool = named(name);
      try {
        const target = await workspaces.target();
        const confirmation = createConfirmation(tool, input, target);
        return { invocationMessage: invocationMessage(tool, input, target), ...(confirmation ? { confirmationMessages: confirmation } : {}) };
      } catch (err) {
        // No folder, or no engine: nothing is created without a confirmation, and invoke says why it cannot run.
        return { invocationMessage: `${tool.doing(input)} (${agentErrorText(err)})` };
      }
    },

    async invoke(options, token) {
      const { workspaces, tool: named } = await runtime();
      const tool = named(name);
      const controller = new AbortController();
      const cancelled = token.onCancellationRequested(() => controller.abort());
      try {
        // VS Code 1.100 gives an extension's tool no progress channel; a create reports in a notification.
        const result = await workspaces.run(tool, options.input ?? {}, { signal: controller.signal, progress: () => undefined });
        // Thrown rather than returned: VS Code then marks the call failed in the chat and hands the
        // message to the model (what its tool guide asks for); the text already says how to go on.
        if (result.isError) throw new Error(result.text);
        return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(result.text)]);
      } finally {
        cancelled.dispose();
      }
    },
  };
}

/** vscode.lm.registerTool for every tool package.json contributes (folderTools is the table both come from). */
export function registerLanguageModelTools(options: OpenFolderOptions): vscode.Disposable[] {
  const runtime = lazyRuntime(options);
  return folderToolNames.map((name) => vscode.lm.registerTool(name, folderLanguageModelTool(name, runtime)));
}
