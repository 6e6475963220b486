/**
 * Leader election on a PostgreSQL lease row with fencing tokens.
 *
 * One row per lease name. Acquiring is a single conditional UPDATE that succeeds only when the
 * lease has expired by the database's clock, and increments the fencing token; renewing extends
 * the expiry only while the row still names this holder and token. Expiry is always computed by
 * the database (clock_timestamp()), never from this process's clock.
 *
 * Locally, the holder counts its lease as valid until (time the last successful request was
 * SENT) + TTL, measured on a monotonic clock. That is never later than the database's expiry, so
 * once the local deadline passes, nobody else can have acquired the lease before this process
 * stopped acting as leader. A failed renewal, or a deadline that passes without one (a process
 * frozen by SIGSTOP or a long pause), makes the holder step down at once.
 */

/** Runs one SQL statement and returns its rows (a pg Pool's `query` adapted). */
export type SqlQuery = (sql: string, params: unknown[]) => Promise<Record<string, unknown>[]>;

export type Role = 'leader' | 'follower' | 'stopped';

export interface LeaderState {
  readonly role: Role;
  /** The fencing token of the current leadership; present only while leader. */
  readonly token: bigint | undefined;
}

export interface LeaderElectorOptions {
  /** The lease row's name, e.g. `engine-shard-0`. */
  readonly leaseName: string;
  /** Unique name of this process, written into the row for operators. */
  readonly holderId: string;
  /** Lease duration in milliseconds. */
  readonly ttlMs: number;
  /** Interval between renewals (as leader) or acquisition attempts (as follower), in ms. */
  readonly renewIntervalMs: number;
  /** Monotonic clock in milliseconds; injectable for tests. */
  readonly now?: () => number;
}

export interface LeaderElectorEvents {
  change(state: LeaderState, reason: string): void;
  renewed(token: bigint): void;
  failure(error: unknown): void;
}

const ACQUIRE_SQL = `
  UPDATE leases
     SET holder = $2, token = token + 1,
         expires_at = clock_timestamp() + $3 * interval '1 millisecond', updated_at = clock_timestamp()
   WHERE name = $1 AND expires_at <= clock_timestamp()
  RETURNING token::text AS token`;

const RENEW_SQL = `
  UPDATE leases
     SET expires_at = clock_timestamp() + $3 * interval '1 millisecond', updated_at = clock_timestamp()
   WHERE name = $1 AND holder = $2 AND token = $4::bigint AND expires_at > clock_timestamp()
  RETURNING token::text AS token`;

const RELEASE_SQL = `
  UPDATE leases SET expires_at = '-infinity', updated_at = clock_timestamp()
   WHERE name = $1 AND holder = $2 AND token = $3::bigint`;

const ENSURE_ROW_SQL = `INSERT INTO leases (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`;

export class LeaderElector {
  private state: LeaderState = { role: 'follower', token: undefined };
  private deadline = 0;
  private timer: NodeJS.Timeout | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private running = false;
  private inFlight: Promise<void> | undefined;
  /** Monotonic time before which this process does not try to acquire (after a hand-over). */
  private holdOffUntil = 0;
  private readonly listeners: { [K in keyof LeaderElectorEvents]: LeaderElectorEvents[K][] } = {
    change: [],
    renewed: [],
    failure: [],
  };
  private readonly now: () => number;

  constructor(
    private readonly query: SqlQuery,
    private readonly options: LeaderElectorOptions,
  ) {
    if (!(options.renewIntervalMs * 2 <= options.ttlMs)) {
      throw new Error(
        `renewIntervalMs (${options.renewIntervalMs}) must be at most half of ttlMs (${options.ttlMs})`,
      );
    }
    this.now = options.now ?? (() => performance.now());
  }

  on<K extends keyof LeaderElectorEvents>(event: K, listener: LeaderElectorEvents[K]): void {
    this.listeners[event].push(listener);
  }

  /** The role as of this instant: a leader whose local deadline passed is already a follower. */
  current(): LeaderState {
    if (this.state.role === 'leader' && this.now() >= this.deadline)
      this.stepDown('lease deadline passed');
    return this.state;
  }

  /** True only while this process holds an unexpired lease; check before every write. */
  isLeader(): boolean {
    return this.current().role === 'leader';
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.query(ENSURE_ROW_SQL, [this.options.leaseName]);
    await this.tick();
  }

  /** Stops campaigning; a leader releases its lease so a standby can take over at once. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.inFlight;
    const { token } = this.state;
    if (this.state.role === 'leader' && token !== undefined) {
      this.stepDown('stopping');
      await this.query(RELEASE_SQL, [
        this.options.leaseName,
        this.options.holderId,
        token.toString(),
      ]);
    }
    this.setState({ role: 'stopped', token: undefined }, 'stopped');
  }

  /**
   * Gives the lease up while running: steps down at once, releases the row so that another
   * process can acquire it without waiting for the TTL, and does not try to acquire it again for
   * `holdOffMs`, so a standby (polling every renew interval) gets it. For a leader that cannot do
   * its work here; with no other candidate it leads again after the hold-off.
   */
  async handOver(holdOffMs: number): Promise<void> {
    const { role, token } = this.state;
    this.holdOffUntil = this.now() + holdOffMs;
    if (role !== 'leader' || token === undefined) return;
    this.stepDown('handed over');
    await this.query(RELEASE_SQL, [
      this.options.leaseName,
      this.options.holderId,
      token.toString(),
    ]);
  }

  private async tick(): Promise<void> {
    if (!this.running) return;
    this.inFlight = this.campaign();
    await this.inFlight;
    this.inFlight = undefined;
    if (this.running) this.timer = setTimeout(() => void this.tick(), this.options.renewIntervalMs);
  }

  private async campaign(): Promise<void> {
    const sentAt = this.now();
    const current = this.current();
    try {
      if (current.role === 'leader' && current.token !== undefined) {
        const rows = await this.query(RENEW_SQL, [
          this.options.leaseName,
          this.options.holderId,
          this.options.ttlMs,
          current.token.toString(),
        ]);
        if (this.state.role !== 'leader' || this.state.token !== current.token) return;
        if (rows.length === 0) return this.stepDown('renewal refused: lease lost');
        this.extendDeadline(sentAt);
        this.emit('renewed', current.token);
      } else if (current.role === 'follower' && this.now() >= this.holdOffUntil) {
        const rows = await this.query(ACQUIRE_SQL, [
          this.options.leaseName,
          this.options.holderId,
          this.options.ttlMs,
        ]);
        if (rows.length === 0 || !this.running) return;
        this.extendDeadline(sentAt);
        this.setState({ role: 'leader', token: BigInt(String(rows[0].token)) }, 'lease acquired');
      }
    } catch (error) {
      this.emit('failure', error);
      if (this.state.role === 'leader') this.stepDown('renewal failed');
    }
  }

  private extendDeadline(sentAt: number): void {
    this.deadline = sentAt + this.options.ttlMs;
    clearTimeout(this.deadlineTimer);
    // Wakes the process at the deadline so it steps down even if nothing asks.
    this.deadlineTimer = setTimeout(() => this.current(), Math.max(0, this.deadline - this.now()));
    this.deadlineTimer.unref();
  }

  private stepDown(reason: string): void {
    if (this.state.role !== 'leader') return;
    clearTimeout(this.deadlineTimer);
    this.deadline = 0;
    this.setState({ role: 'follower', token: undefined }, reason);
  }

  private setState(state: LeaderState, reason: string): void {
    if (state.role === this.state.role && state.token === this.state.token) return;
    this.state = state;
    this.emit('change', state, reason);
  }

  private emit<K extends keyof LeaderElectorEvents>(
    event: K,
    ...args: Parameters<LeaderElectorEvents[K]>
  ): void {
    for (const listener of this.listeners[event]) {
      (listener as (...a: Parameters<LeaderElectorEvents[K]>) => void)(...args);
    }
  }
}
