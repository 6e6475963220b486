import { Controller, Get } from '@nestjs/common';
import { EngineRole } from './engine-role';
import { EngineLeader } from './leader/engine-leader.service';

/**
 * GET /engine/state: this process's role and, on the leader, each market's counters and state
 * hash (the hash a restored book must reproduce) plus the next offset to apply per partition.
 * For operators and failover tests; it reads the book synchronously, between two batches.
 */
@Controller('engine')
export class EngineStateController {
  constructor(
    private readonly role: EngineRole,
    private readonly leader: EngineLeader,
  ) {}

  @Get('state')
  state(): Record<string, unknown> {
    return { ...this.role.details(), ...this.leader.state() };
  }
}
