import { type DynamicModule, Module } from '@nestjs/common';
import { AuthGuard } from './auth.guard';
import { JwtStrategy } from './jwt.strategy';
import { JwtVerifier, type JwtVerifierOptions } from './jwt-verifier';

/** Provides JwtVerifier, the Passport JwtStrategy and AuthGuard to the whole application (global). */
@Module({})
export class AuthClientModule {
  static forRoot(options: JwtVerifierOptions): DynamicModule {
    return {
      module: AuthClientModule,
      global: true,
      providers: [{ provide: JwtVerifier, useValue: new JwtVerifier(options) }, JwtStrategy, AuthGuard],
      exports: [JwtVerifier, JwtStrategy, AuthGuard],
    };
  }
}
