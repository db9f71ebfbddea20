/**
 * What the review keeps beside the box's changes, in the review volume (the box cannot see it):
 * when the view was made, and when each path was last brought in line with the folder (applied
 * or discarded). A folder file changed after that moment while the box changed it too is a
 * conflict: the user's edit would be lost.
 */
export interface ReviewState {
  version: 1;
  /** Epoch ms of the create: the folder as the box first saw it. */
  createdAt: number;
  /** Epoch ms per relative path of its last apply or discard. */
  synced: Record<string, number>;
}

export function emptyReviewState(createdAt: number): ReviewState {
  return { version: 1, createdAt, synced: {} };
}

export function parseReviewState(text: string | undefined, fallbackCreatedAt: number): ReviewState {
  try {
    const parsed = JSON.parse(text ?? '') as Partial<ReviewState>;
    if (parsed.version === 1 && typeof parsed.createdAt === 'number') return { version: 1, createdAt: parsed.createdAt, synced: { ...parsed.synced } };
  } catch {
    // A missing or broken state reads as "nothing synced since create".
  }
  return emptyReviewState(fallbackCreatedAt);
}

/** When the folder's copy of `path` was last known to match what the box started from. */
export function baselineOf(state: ReviewState, path: string): number {
  return state.synced[path] ?? state.createdAt;
}
