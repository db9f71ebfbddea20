import { reviewPaths } from './names';

/**
 * The two scripts of review mode, run by busybox sh in a helper container. Each argument is
 * one relative path (already checked: inside the folder, one of the listed changes).
 */

/**
 * Apply, as the folder's owner, with the folder at /h and the review volume at /u (read-only):
 * what the box has at the path replaces the folder's (a link is copied as a link, never
 * followed); a path the box deleted is removed from the folder.
 */
export const applyScript = `
set -e
for rel in "$@"; do
  src="${reviewPaths.upper}/$rel"; dst="${reviewPaths.folder}/$rel"
  if [ -e "$src" ] || [ -L "$src" ]; then
    if [ -c "$src" ] && [ ! -L "$src" ]; then rm -rf "$dst"; continue; fi
    mkdir -p "$(dirname "$dst")"
    rm -rf "$dst"
    cp -a "$src" "$dst"
  else
    rm -rf "$dst"
  fi
done
`;

/**
 * Discard, with the box's view at /m and the folder at /h (read-only): the view gets the
 * folder's copy back (or loses what the folder does not have), so it matches the folder again.
 * Runs as root with only the capabilities to write files of any owner in the view.
 */
export const discardScript = `
set -e
for rel in "$@"; do
  view="${reviewPaths.view}/$rel"; folder="${reviewPaths.folder}/$rel"
  rm -rf "$view"
  if [ -e "$folder" ] || [ -L "$folder" ]; then
    mkdir -p "$(dirname "$view")"
    cp -a "$folder" "$view"
  fi
done
`;

export const discardCapabilities = ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID'];
