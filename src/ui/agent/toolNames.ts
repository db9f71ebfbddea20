/**
 * The names of VS Code's language-model tools, apart from the tools themselves: activation
 * registers them by name, and the tools (with zod, about 100 ms to load) are loaded on the first
 * call. folderTools.ts lists the same tools in the same order (a unit test holds them together).
 */
export const folderToolNames = [
  'aicli_workspace_exec',
  'aicli_workspace_read_file',
  'aicli_workspace_write_file',
  'aicli_workspace_list_files',
  'aicli_workspace_logs',
  'aicli_workspace_changes',
  'aicli_workspace_diff',
  'aicli_workspace_alerts',
] as const;
