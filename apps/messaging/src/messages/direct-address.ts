// Where gateways reach this instance's direct hop (DirectCommandsEndpoint), once its HTTP port
// listens; undefined while it does not, or when the hop is off (no COMMAND_HOP_SECRET). The
// sequencers announce it with the partitions they own: in their epoch markers and the store's
// reports (docs/design/sequencer.md, "The direct hop").
import { Injectable } from '@nestjs/common';

@Injectable()
export class DirectAddress {
  private value: string | undefined;

  get(): string | undefined {
    return this.value;
  }

  set(address: string): void {
    this.value = address;
  }
}
