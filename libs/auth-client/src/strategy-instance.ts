// Passport keeps strategies in one registry per process, by name, and @nestjs/passport registers a
// strategy when its provider is built. Two applications in one process (integration tests start
// several) would then share one `jwt` strategy: the last one built, with its keys and its
// dependencies, even after that application closed. So each instance registers under a name of its
// own, its guard asks for that name, and it leaves the registry when its application closes.
import { type Type } from '@nestjs/common';
import passport from 'passport';

let instances = 0;

/**
 * A subclass of a Passport strategy class whose instances are named `<prefix>#<n>`; the name is
 * set before @nestjs/passport's mixin registers the instance under it.
 */
export function perInstanceNamed<T extends Type<{ name?: string | undefined }>>(Strategy: T, prefix: string): T {
  return class extends Strategy {
    // A mixin's constructor must take `any[]` (TS2545); the arguments go to the strategy unchanged.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    constructor(...args: any[]) {
      super(...args);
      instances += 1;
      this.name = `${prefix}#${instances}`;
    }
  };
}

/** Takes a strategy instance out of Passport's registry (its application is closing). */
export function unregisterStrategy(name: string): void {
  passport.unuse(name);
}
