import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { type ReadinessCheck, ReadinessRegistry, withTimeout } from './readiness.registry';

const CHECK_TIMEOUT_MS = 2_000;

@ApiExcludeController()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly registry: ReadinessRegistry,
  ) {}

  /**
   * Liveness: the event loop answers and nothing is broken for good (the registered liveness
   * checks). Engines are not consulted, so an outage never restarts pods.
   */
  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check(this.registry.listLiveness().map((check) => () => this.run(check)));
  }

  /**
   * Readiness: every engine this service cannot do without answers right now, and the process is
   * not draining. An engine it can do without (a check with `degrades`) that fails shows as
   * `{status: 'up', degraded: true, message, impact}` in the details and leaves readiness alone.
   */
  @Get('ready')
  @HealthCheck()
  ready() {
    if (this.registry.isDraining()) {
      throw new ServiceUnavailableException({ status: 'error', error: { shutdown: { status: 'down', message: 'draining' } }, details: {} });
    }
    return this.health.check(
      this.registry.list().map((check) => () => this.run(check)),
    );
  }

  private async run(check: ReadinessCheck): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(check.name);
    try {
      await withTimeout(check.check(), CHECK_TIMEOUT_MS, check.name);
      return indicator.up();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (check.degrades !== undefined) return indicator.up({ degraded: true, message, impact: check.degrades });
      return indicator.down({ message });
    }
  }
}
