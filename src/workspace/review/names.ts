/** The parts of a review-mode workspace on the engine (see view.ts). */

/** Upper and work directories of the overlay, and the review state: never mounted into the box. */
export const reviewVolumeFor = (id: string): string => `aicli-review-${id}`;
/** The overlay itself (lower: the folder; upper: the review volume): the box's /workspace. */
export const viewVolumeFor = (id: string): string => `aicli-view-${id}`;
/** A container that is never started: the engine reads and writes the review volume through it. */
export const reviewerNameFor = (id: string): string => `aicli-reviewer-${id}`;

export const reviewerLabels = { role: 'reviewer', of: 'aicli.reviewer.of' } as const;

/** Where the reviewer (and the helpers of apply/discard) see the parts. */
export const reviewPaths = { volume: '/u', upper: '/u/upper', state: '/u/state.json', view: '/m', folder: '/h' } as const;
