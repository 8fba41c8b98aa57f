// Which messaging instance owns each partition of the send path, as far as this gateway has read:
// the epoch markers of chat.message.sequenced.v1 and the owners the stores' reports announce
// (docs/design/sequencer.md, "The direct hop"). Epochs only grow, so the highest epoch seen names
// the latest owner; a stale announcement (a deposed owner's report) changes nothing. Listeners
// hear of every partition whose owner changed, so sends handed to the old one can move.
import { Injectable } from '@nestjs/common';
import { type PartitionOwner } from '@chat/contracts';

export type OwnerChanged = (partition: number, owner: PartitionOwner) => void;

@Injectable()
export class PartitionOwners {
  private readonly owners = new Map<number, PartitionOwner>();
  private readonly listeners: OwnerChanged[] = [];

  ownerOf(partition: number): PartitionOwner | undefined {
    return this.owners.get(partition);
  }

  /** An owner announced for a partition: taken when its epoch is above the known one. */
  learn(partition: number, owner: PartitionOwner): void {
    const known = this.owners.get(partition);
    if (known && known.epoch >= owner.epoch) return;
    this.owners.set(partition, owner);
    for (const listener of this.listeners) listener(partition, owner);
  }

  /** The addresses some partition's owner has (the connections worth keeping). */
  addresses(): Set<string> {
    return new Set([...this.owners.values()].map((owner) => owner.address));
  }

  onChange(listener: OwnerChanged): void {
    this.listeners.push(listener);
  }
}
