import { BadRequestException, Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { EngineLeader } from './leader/engine-leader.service';

/** Most sessions one request may freeze: a test needs one or two. */
const FROZEN_SESSIONS_MAX = 100;

/**
 * Fault hooks for failure tests, mounted only when ENGINE_FAULT_HOOKS is set (never in
 * production). POST /engine/faults/stall `{"sessions": n}` freezes the consumer of the leader's
 * current session and of its next n - 1 sessions: each stays in its group and heartbeats but
 * fetches nothing, so the committed position stands still while commands wait, which is what the
 * progress watchdog must notice and act on.
 */
@ApiExcludeController()
@Controller('engine/faults')
export class EngineFaultsController {
  constructor(private readonly leader: EngineLeader) {}

  @Post('stall')
  @HttpCode(204)
  stall(@Body() body: { sessions?: unknown } | undefined): void {
    const sessions = body?.sessions;
    if (
      typeof sessions !== 'number' ||
      !Number.isSafeInteger(sessions) ||
      sessions < 0 ||
      sessions > FROZEN_SESSIONS_MAX
    ) {
      throw new BadRequestException(`sessions must be an integer from 0 to ${FROZEN_SESSIONS_MAX}`);
    }
    this.leader.freezeSessions(sessions);
  }
}
