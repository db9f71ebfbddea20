import type Docker from 'dockerode';
import { EngineConnection } from '../engine/connection';

/**
 * Container inspect with concurrent reads of one container shared: a start event makes the
 * stats subscription (for the CPU quota) and the audit (for the configuration) both want
 * it at once, and that should be one engine call, not two.
 */
export class InspectReader {
  private readonly inFlight = new Map<string, Promise<Docker.ContainerInspectInfo>>();

  constructor(private readonly connection: () => Promise<EngineConnection>) {}

  read(containerId: string): Promise<Docker.ContainerInspectInfo> {
    let reading = this.inFlight.get(containerId);
    if (!reading) {
      reading = this.connection()
        .then((connection) => connection.call(`inspect ${containerId.slice(0, 12)}`, (docker) => docker.getContainer(containerId).inspect()))
        .finally(() => this.inFlight.delete(containerId));
      this.inFlight.set(containerId, reading);
    }
    return reading;
  }
}
