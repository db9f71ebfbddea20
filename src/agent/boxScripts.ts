/**
 * Shell scripts the file tools run in the box as the box's own user (busybox or coreutils
 * sh), so they can do no more than a command the agent runs. Each first resolves symbolic
 * links in the box and refuses a path that ends up outside /workspace.
 */

/** Exit codes the scripts use (64+, clear of a shell's own 1, 2, 126 and 127). */
export const scriptExit = { outside: 64, missing: 65, directory: 66, notFile: 67, notDirectory: 68 } as const;

const inside = `inside() { case "$1" in /workspace|/workspace/*) return 0;; *) return 1;; esac; }`;

/** $1 path, $2 cap: the size on stderr, then at most cap bytes of the file on stdout. */
export const readScript = `${inside}
r=$(readlink -f -- "$1") || r=
inside "$r" || exit ${scriptExit.outside}
[ -e "$r" ] || exit ${scriptExit.missing}
[ -d "$r" ] && exit ${scriptExit.directory}
[ -f "$r" ] || exit ${scriptExit.notFile}
wc -c < "$r" >&2
head -c "$2" -- "$r"`;

/** $1 path; stdin is the content. Folders on the way are made (after their nearest existing one is checked). */
export const writeScript = `${inside}
d=$(dirname -- "$1"); p=$d
while [ ! -e "$p" ] && [ ! -L "$p" ]; do p=$(dirname -- "$p"); done
r=$(readlink -f -- "$p") || r=
inside "$r" || exit ${scriptExit.outside}
mkdir -p -- "$d" || exit 1
r=$(readlink -f -- "$d") || r=
inside "$r" || exit ${scriptExit.outside}
if [ -e "$1" ] || [ -L "$1" ]; then
  t=$(readlink -f -- "$1") || t=
  inside "$t" || exit ${scriptExit.outside}
  [ -d "$t" ] && exit ${scriptExit.directory}
fi
cat > "$1"`;

/** $1 folder, $2 depth, $3 lines of each kind at most (a node_modules can hold millions): "d<TAB>path", "l<TAB>path" lines and wc -c's "size path" lines, paths from "./". */
export const listScript = `${inside}
r=$(readlink -f -- "$1") || r=
inside "$r" || exit ${scriptExit.outside}
[ -e "$r" ] || exit ${scriptExit.missing}
[ -d "$r" ] || exit ${scriptExit.notDirectory}
cd -- "$r" || exit 1
find . -mindepth 1 -maxdepth "$2" -type d -exec printf 'd\\t%s\\n' {} + | head -n "$3"
find . -mindepth 1 -maxdepth "$2" -type l -exec printf 'l\\t%s\\n' {} + | head -n "$3"
find . -mindepth 1 -maxdepth "$2" -type f -exec wc -c {} + | head -n "$3"
exit 0`;
