import { type DynamicModule, Module } from '@nestjs/common';
import { AuthGuard } from './auth.guard';
import { JwtVerifier, type JwtVerifierOptions } from './jwt-verifier';

/** Provides JwtVerifier and AuthGuard to the whole application (global). */
@Module({})
export class AuthClientModule {
  static forRoot(options: JwtVerifierOptions): DynamicModule {
    return {
      module: AuthClientModule,
      global: true,
      providers: [{ provide: JwtVerifier, useValue: new JwtVerifier(options) }, AuthGuard],
      exports: [JwtVerifier, AuthGuard],
    };
  }
}
