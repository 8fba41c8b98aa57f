// Per-address rate limits of auth read the client address with TRUST_PROXY hops believed
// (service-kit's clientAddress).
import { Inject, Injectable } from '@nestjs/common';
import { type IncomingMessage } from 'node:http';
import { APP_CONFIG, clientAddress } from '@chat/service-kit';
import { type AuthConfig } from '../config';

@Injectable()
export class ClientAddresses {
  private readonly trustedHops: number;

  constructor(@Inject(APP_CONFIG) config: Pick<AuthConfig, 'TRUST_PROXY'>) {
    this.trustedHops = config.TRUST_PROXY;
  }

  of(request: Pick<IncomingMessage, 'headers' | 'socket'>): string {
    return clientAddress(request, this.trustedHops);
  }
}
