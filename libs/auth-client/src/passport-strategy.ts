// What the services' Passport strategies and guards share. Passport keeps strategies in one
// registry per process, by name, and @nestjs/passport registers a strategy when its provider is
// built. Two applications in one process (integration tests start several) would then share one
// `jwt` strategy: the last one built, with its keys and its dependencies, even after that
// application closed. So each instance registers under a name of its own, its guard asks for that
// name, and it leaves the registry when its application closes.
import { type Type } from '@nestjs/common';
import { AppError } from '@chat/service-kit';
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
      super(...(args as unknown[]));
      instances += 1;
      this.name = `${prefix}#${instances}`;
    }
  };
}

/** Takes a strategy instance out of Passport's registry (its application is closing). */
export function unregisterStrategy(name: string): void {
  passport.unuse(name);
}

/** What a Passport strategy reported as an error, as an Error to throw (AppErrors stay as they are). */
export function asError(error: unknown): Error {
  return error instanceof Error ? error : new AppError('unavailable', 'authentication failed; try again');
}

/**
 * A Passport guard's `handleRequest`: the strategy's error as it is (AppError `unauthorized`,
 * `rate_limited`, `unavailable`), `unauthorized` with `refusal` when it found no user.
 */
export function authenticatedOrThrow<TUser>(error: unknown, user: TUser | false | null | undefined, refusal: string): TUser {
  if (error) throw asError(error);
  if (!user) throw new AppError('unauthorized', refusal);
  return user;
}
