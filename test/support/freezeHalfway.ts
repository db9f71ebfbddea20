// The Docker 20.10 / runc 1.1 / cgroup v1 bug on purpose (see src/monitor/frozen.ts): short
// execs in three loops and pauses between them, until a pause catches an exec half-way and the
// engine stops answering for the container. Only the container given is touched.
import type Docker from 'dockerode';
import { answersWithin } from '../../src/monitor/frozen';
import { sleep } from './waits';

export interface FrozenHalfway {
  /** The pause (1-based) that froze it, or undefined when none did within maxRounds. */
  round: number | undefined;
  /** The racing execs; they finish once the container is unfrozen. */
  execsDone: Promise<unknown>;
}

export async function freezeHalfway(container: Docker.Container, maxRounds = 60): Promise<FrozenHalfway> {
  let racing = true;
  const execLoop = async (): Promise<void> => {
    while (racing) {
      try {
        const exec = await container.exec({ Cmd: ['true'], AttachStdout: false, AttachStderr: false });
        // dockerode hands back the connection even for a detached start: close it.
        const connection = await exec.start({ Detach: true });
        (connection as unknown as { destroy?: () => void } | undefined)?.destroy?.();
      } catch {
        await sleep(5); // refused while paused: try again
      }
    }
  };
  const loops = [execLoop(), execLoop(), execLoop()];
  let round: number | undefined;
  for (let attempt = 1; attempt <= maxRounds && round === undefined; attempt++) {
    await sleep(20 + Math.random() * 130); // running: execs get under way
    await container.pause();
    if (!(await answersWithin(container.inspect(), 2000))) round = attempt;
    else await container.unpause();
  }
  racing = false;
  return { round, execsDone: Promise.allSettled(loops) };
}
