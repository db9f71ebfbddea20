// UI tests only (installed by the harness, never shipped): code-server has no chat to call a
// language-model tool, so this command calls vscode.lm.invokeTool as a chat participant does. It
// reads { tool, input, resultFile } from $AICLI_TOOL_DRIVER_REQUEST and writes { text } or { error }.
// Outside an extension test run, VS Code shows the tool's confirmation as a real modal dialog.
const fs = require('fs');
const vscode = require('vscode');

async function invokeRequested() {
  const request = JSON.parse(fs.readFileSync(process.env.AICLI_TOOL_DRIVER_REQUEST, 'utf8'));
  let answer;
  try {
    const result = await vscode.lm.invokeTool(request.tool, { input: request.input, toolInvocationToken: undefined });
    answer = { text: result.content.map((part) => (part instanceof vscode.LanguageModelTextPart ? part.value : '')).join('') };
  } catch (err) {
    answer = { error: err instanceof Error ? err.message : String(err) };
  }
  fs.writeFileSync(request.resultFile, JSON.stringify(answer));
}

exports.activate = (context) => {
  context.subscriptions.push(vscode.commands.registerCommand('aicliTest.invokeTool', invokeRequested));
};
