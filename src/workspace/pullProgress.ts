import { formatBytes } from '../engine/bytes';

/**
 * The engine's pull progress (POST /images/create streams one JSON object per change, most of
 * them about one layer) folded into a per-layer table and one overall fraction, as a pure
 * function so it can be tested on recorded streams.
 */
export interface PullMessage {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
  errorDetail?: { message?: string };
}

export type LayerPhase = 'waiting' | 'downloading' | 'verifying' | 'downloaded' | 'extracting' | 'done';

export interface LayerProgress {
  id: string;
  phase: LayerPhase;
  /** The engine's words, e.g. "Downloading". */
  status: string;
  /** Bytes of the current phase (download or extract). */
  current?: number;
  total?: number;
  /** Size of the layer's download, kept once known. */
  size?: number;
}

export interface PullProgress {
  layers: LayerProgress[];
  /** 0..1 over all layers seen so far: download counts as half a layer, extracting as the other half. */
  fraction: number;
  layersDone: number;
  bytesDownloaded: number;
  bytesToDownload: number;
  /** The last message without a layer ("Digest: …", "Status: Downloaded newer image …"). */
  summary?: string;
}

const phaseOf: Record<string, LayerPhase> = {
  'pulling fs layer': 'waiting',
  waiting: 'waiting',
  downloading: 'downloading',
  'verifying checksum': 'verifying',
  'download complete': 'downloaded',
  extracting: 'extracting',
  'pull complete': 'done',
  'already exists': 'done',
};

function layerFraction(layer: LayerProgress): number {
  const part = layer.total ? Math.min(1, (layer.current ?? 0) / layer.total) : 0;
  switch (layer.phase) {
    case 'waiting':
      return 0;
    case 'downloading':
      return part / 2;
    case 'verifying':
    case 'downloaded':
      return 0.5;
    case 'extracting':
      return 0.5 + part / 2;
    case 'done':
      return 1;
  }
}

export class PullProgressTracker {
  private readonly layers = new Map<string, LayerProgress>();
  private summary?: string;

  /** Folds one message in; returns true when something a user would see changed. */
  apply(message: PullMessage): boolean {
    const status = message.status?.trim();
    if (!status) return false;
    const phase = phaseOf[status.toLowerCase()];
    // Messages with an id but no layer phase are about the reference ("Pulling from x", id = tag).
    if (!message.id || !phase) {
      this.summary = message.id && !phase ? `${status} ${message.id}` : status;
      return true;
    }
    const previous = this.layers.get(message.id);
    const detail = message.progressDetail ?? {};
    const layer: LayerProgress = { id: message.id, phase, status, current: detail.current, total: detail.total, size: previous?.size };
    if (phase === 'downloading' && detail.total) layer.size = detail.total;
    this.layers.set(message.id, layer);
    return true;
  }

  snapshot(): PullProgress {
    const layers = [...this.layers.values()];
    const fraction = layers.length ? layers.reduce((sum, layer) => sum + layerFraction(layer), 0) / layers.length : 0;
    let bytesDownloaded = 0;
    let bytesToDownload = 0;
    for (const layer of layers) {
      if (!layer.size) continue;
      bytesToDownload += layer.size;
      bytesDownloaded += layer.phase === 'downloading' ? (layer.current ?? 0) : layer.phase === 'waiting' ? 0 : layer.size;
    }
    return { layers, fraction, layersDone: layers.filter((layer) => layer.phase === 'done').length, bytesDownloaded, bytesToDownload, summary: this.summary };
  }
}

/** One line for a progress notification or a terminal: "2/5 layers · 12/38 MiB · 3f2a…: Extracting". */
export function describePullProgress(progress: PullProgress): string {
  const parts: string[] = [];
  if (progress.layers.length) parts.push(`${progress.layersDone}/${progress.layers.length} layers`);
  if (progress.bytesToDownload) parts.push(formatBytes(progress.bytesDownloaded, progress.bytesToDownload));
  const active = progress.layers.find((layer) => layer.phase === 'downloading' || layer.phase === 'extracting');
  if (active) parts.push(`${active.id.slice(0, 12)}: ${active.status}`);
  else if (progress.summary) parts.push(progress.summary);
  return parts.join(' · ');
}
