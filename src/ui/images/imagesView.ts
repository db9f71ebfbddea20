import * as vscode from 'vscode';
import { formatBytes } from '../../engine/bytes';
import { Engine } from '../../engine/engine';
import { DockerEvent } from '../../engine/events';
import { imageLabel, listImages, LocalImage, shortImageId } from '../../workspace/images';

/** Image events, and container births/deaths that change which workspaces use an image. */
const relevant = (event: DockerEvent): boolean =>
  event.Type === 'image' || (event.Type === 'container' && (event.Action === 'create' || event.Action === 'destroy'));

function tooltip(image: LocalImage): vscode.MarkdownString {
  const lines = [
    `**${imageLabel(image)}**`,
    '',
    `| | |`,
    `| --- | --- |`,
    `| id | \`${shortImageId(image.id)}\` |`,
    `| size | ${formatBytes(image.sizeBytes)} |`,
    `| created | ${image.createdAt.toLocaleString()} |`,
    `| tags | ${image.tags.join(', ') || 'none (dangling)'} |`,
    `| built by AICLI | ${image.managed ? 'yes' : 'no'} |`,
    `| used by | ${image.usedBy.join(', ') || 'no workspace'} |`,
  ];
  return new vscode.MarkdownString(lines.join('\n'));
}

export function imageItem(image: LocalImage): vscode.TreeItem {
  const item = new vscode.TreeItem(imageLabel(image), vscode.TreeItemCollapsibleState.None);
  item.id = image.id;
  const usage = image.usedBy.length ? `used by ${image.usedBy.join(', ')}` : 'unused';
  item.description = `${formatBytes(image.sizeBytes)} · ${usage}`;
  item.tooltip = tooltip(image);
  item.iconPath = new vscode.ThemeIcon(image.usedBy.length ? 'layers-active' : 'layers');
  item.contextValue = image.usedBy.length ? 'image.inUse' : 'image';
  item.accessibilityInformation = { label: `${imageLabel(image)}, ${formatBytes(image.sizeBytes)}, ${usage}` };
  return item;
}

/**
 * The engine's local images. Refreshed by engine events (debounced), and only read while the
 * view is visible; an engine that is down shows nothing here (the Workspaces view explains).
 */
export class ImagesTreeProvider implements vscode.TreeDataProvider<LocalImage>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private readonly subscriptions: vscode.Disposable[] = [];
  private visible = false;
  private stale = true;
  private timer?: NodeJS.Timeout;
  private images: LocalImage[] = [];

  constructor(private readonly engine: Engine) {
    this.subscriptions.push(
      engine.onEvent((event) => relevant(event) && this.invalidate()),
      engine.onDidChangeState(() => this.invalidate()),
    );
  }

  setVisible(visible: boolean): void {
    this.visible = visible;
    if (visible && this.stale) this.changeEmitter.fire();
  }

  refresh(): void {
    this.stale = true;
    this.changeEmitter.fire();
  }

  private invalidate(): void {
    this.stale = true;
    if (!this.visible) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.changeEmitter.fire(), 150);
  }

  getTreeItem(image: LocalImage): vscode.TreeItem {
    return imageItem(image);
  }

  async getChildren(parent?: LocalImage): Promise<LocalImage[]> {
    if (parent || this.engine.state.kind !== 'connected') return [];
    try {
      this.images = await listImages(await this.engine.connection());
      this.stale = false;
    } catch {
      // The engine went away between the state check and the read; its state change refreshes us.
    }
    return this.images;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.subscriptions.forEach((subscription) => subscription.dispose());
    this.changeEmitter.dispose();
  }
}
