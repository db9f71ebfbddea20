import { EngineConnection } from '../engine/connection';
import { inspectContainer } from '../engine/containers';
import { ContainerInspectInfo } from '../engine/types';

/**
 * Container inspect with concurrent reads of one container shared: a start event makes the
 * stats subscription (for the CPU quota) and the audit (for the configuration) both want
 * it at once, and that should be one engine call, not two.
 */
export class InspectReader {
  private readonly inFlight = new Map<string, Promise<ContainerInspectInfo>>();

  constructor(private readonly connection: () => Promise<EngineConnection>) {}

  read(containerId: string): Promise<ContainerInspectInfo> {
    let reading = this.inFlight.get(containerId);
    if (!reading) {
      reading = this.connection()
        .then((connection) => inspectContainer(connection, containerId, `inspect ${containerId.slice(0, 12)}`))
        .finally(() => this.inFlight.delete(containerId));
      this.inFlight.set(containerId, reading);
    }
    return reading;
  }
}
