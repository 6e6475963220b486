import { Injectable, type BeforeApplicationShutdown } from '@nestjs/common';

/**
 * Whether the process is shutting down. Readiness turns false as soon as shutdown begins, so a
 * load balancer stops sending new work while in-flight work drains.
 */
@Injectable()
export class Lifecycle implements BeforeApplicationShutdown {
  private drainingSince: number | undefined;

  get draining(): boolean {
    return this.drainingSince !== undefined;
  }

  beforeApplicationShutdown(): void {
    this.drainingSince ??= Date.now();
  }
}
