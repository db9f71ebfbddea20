import * as vscode from 'vscode';
import { userOnlyKeysIn } from '../isolation/userOnlySettings';
import { parseJsonc } from './jsonc';

/** A user-only aicli.* key set by an open folder's settings or the .code-workspace file. */
export interface FolderSetting {
  key: string;
  /** The file that sets it. */
  source: string;
  /**
   * VS Code applies it in spite of its application scope. VS Code 1.100 drops a folder's
   * `"aicli.isolation.level": …` but keeps the nested form `"aicli": { "isolation": { … } }`
   * (its scope check only looks at top-level keys), so create refuses while one is there.
   */
  applied: boolean;
}

interface SettingsFile {
  uri: vscode.Uri;
  settingsOf: (parsed: unknown) => unknown;
  /** Its values are the workspace's own (what getConfiguration() without a resource reads). */
  workspaceLevel: boolean;
}

/**
 * Where a folder's settings can come from. VS Code's inspect() does not report a folder value
 * of an application-scoped key (workspaceValue stays undefined), so the files are read here.
 */
function settingsFiles(): SettingsFile[] {
  const workspaceFile = vscode.workspace.workspaceFile;
  const multiRoot = workspaceFile !== undefined && workspaceFile.scheme !== 'untitled';
  const folders = (vscode.workspace.workspaceFolders ?? []).map((folder): SettingsFile => ({
    uri: vscode.Uri.joinPath(folder.uri, '.vscode', 'settings.json'),
    settingsOf: (parsed) => parsed,
    workspaceLevel: !multiRoot,
  }));
  const settingsOfWorkspace = (parsed: unknown): unknown =>
    typeof parsed === 'object' && parsed !== null ? (parsed as { settings?: unknown }).settings : undefined;
  return multiRoot ? [{ uri: workspaceFile, settingsOf: settingsOfWorkspace, workspaceLevel: true }, ...folders] : folders;
}

/** Only a declared key can be in effect (every aicli setting has a default); an unknown one is read by nothing. */
function appliedByVsCode(key: string): boolean {
  const inspected = vscode.workspace.getConfiguration().inspect(key);
  return inspected?.defaultValue !== undefined && (inspected.workspaceValue !== undefined || inspected.workspaceFolderValue !== undefined);
}

async function readText(uri: vscode.Uri): Promise<string | undefined> {
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch (err) {
    if (err instanceof vscode.FileSystemError && err.code === 'FileNotFound') return undefined;
    throw err;
  }
}

/** Every user-only key the open folders try to set, and the files that could not be read. */
export async function scanFolderSettings(): Promise<{ found: FolderSetting[]; unreadable: { source: string; reason: string }[] }> {
  const found: FolderSetting[] = [];
  const unreadable: { source: string; reason: string }[] = [];
  for (const file of settingsFiles()) {
    const source = file.uri.scheme === 'file' ? file.uri.fsPath : file.uri.toString();
    try {
      const text = await readText(file.uri);
      if (text === undefined) continue;
      for (const key of userOnlyKeysIn(file.settingsOf(parseJsonc(text)))) found.push({ key, source, applied: file.workspaceLevel && appliedByVsCode(key) });
    } catch (err) {
      unreadable.push({ source, reason: err instanceof Error ? err.message : String(err) });
    }
  }
  return { found, unreadable };
}

export function folderSettingMessage(setting: FolderSetting): string {
  return setting.applied
    ? `${setting.key} from ${setting.source} is in effect although only User settings may set it: VS Code applies a folder value written as a nested object ("aicli": { … }). Remove it there; Create Workspace refuses until then.`
    : `Ignored ${setting.key} from ${setting.source}: it can only be set in User settings (a folder could weaken the workspace).`;
}

/** The create summary's line about ignored folder values, or undefined when there are none. */
export function ignoredSummary(settings: readonly FolderSetting[]): string | undefined {
  const ignored = settings.filter((setting) => !setting.applied);
  if (!ignored.length) return undefined;
  const keys = [...new Set(ignored.map((setting) => setting.key))].join(', ');
  const sources = [...new Set(ignored.map((setting) => setting.source))].join(', ');
  return `folder settings ignored (User settings only: a folder could weaken the workspace): ${keys} in ${sources}.`;
}

/** Checks the open folders' settings and says each user-only key they set once in the log. */
export class FolderSettingsReporter {
  private readonly said = new Set<string>();
  private latest: FolderSetting[] = [];

  constructor(private readonly log: vscode.LogOutputChannel) {}

  /** What the last check found (the extension-host tests read it through the API). */
  get found(): readonly FolderSetting[] {
    return this.latest;
  }

  async check(): Promise<FolderSetting[]> {
    const { found, unreadable } = await scanFolderSettings();
    for (const setting of found) {
      this.once(`${setting.applied}\n${setting.key}\n${setting.source}`, () =>
        setting.applied ? this.log.error(folderSettingMessage(setting)) : this.log.warn(folderSettingMessage(setting)),
      );
    }
    for (const file of unreadable) {
      this.once(`unreadable\n${file.source}\n${file.reason}`, () =>
        this.log.warn(`Could not check ${file.source} for settings a folder cannot set: ${file.reason}`),
      );
    }
    this.latest = found;
    return found;
  }

  private once(what: string, say: () => void): void {
    if (this.said.has(what)) return;
    this.said.add(what);
    say();
  }
}
