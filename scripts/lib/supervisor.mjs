// Keeps what `npm run up` started running, and stops all of it together. A service or engine
// that exits, or a broker that disappears, is started again after a back-off (1 s doubling to
// 30 s, from 1 s again once it had run for a minute), and each restart is logged, so a failover
// drill (kill -9 of the active engine) leaves a standby behind. An exit code that a restart
// cannot fix (`up` names them: the exchange-identity refusal, a configuration error) is not
// retried: the supervisor stops everything and reports that code. Node built-ins only.

/** First delay before a restart. */
export const RESTART_DELAY_MS_INITIAL = 1_000;
/** The delay doubles with each crash in a row up to this, so a crash loop costs little. */
export const RESTART_DELAY_MS_MAX = 30_000;
/** A process that ran this long before it exited counts as healthy: its delay starts over. */
export const HEALTHY_RUN_MS = 60_000;
/** How long processes get to stop after SIGTERM before they are killed. */
export const STOP_TIMEOUT_MS = 15_000;
/** How often a process that is not our child (the detached broker) is checked. */
export const LIVENESS_CHECK_INTERVAL_MS = 2_000;
/** How often `up` checks that the process that started it is still there. */
export const PARENT_CHECK_INTERVAL_MS = 1_000;

/** The delay before the next restart of a process that ran `ranMs` after `previousDelayMs`. */
export function nextRestartDelayMs(previousDelayMs, ranMs) {
  if (previousDelayMs === null || ranMs >= HEALTHY_RUN_MS) return RESTART_DELAY_MS_INITIAL;
  return Math.min(previousDelayMs * 2, RESTART_DELAY_MS_MAX);
}

/**
 * Calls `onGone` once the process that started this one has exited (this one was re-parented).
 * A wrapper may die of a signal without passing it on (npm forwards SIGTERM to its `sh -c`,
 * which dies of it), and `up` must not then run on alone.
 */
export function watchParent(onGone) {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onGone();
  }, PARENT_CHECK_INTERVAL_MS);
  timer.unref();
}

export class Supervisor {
  /**
   * @param {{
   *   log: (line: string) => void,
   *   fatalExitCodes: Map<number, string>,
   *   onFatal: (exitCode: number) => void,
   * }} options fatalExitCodes: the exit codes a restart cannot fix, each with why. onFatal is
   *   called when a process exits with one of them; the supervisor has then begun to stop
   *   everything (await stop() before exiting).
   */
  constructor({ log, fatalExitCodes, onFatal }) {
    this.log = log;
    this.fatalExitCodes = fatalExitCodes;
    this.onFatal = onFatal;
    this.units = [];
    this.stopped = null;
  }

  /** Starts a child process now and keeps it running; `spawnChild` returns a ChildProcess. */
  addChild(name, spawnChild) {
    const unit = this.#unit(name, {
      start: () => {
        const child = spawnChild();
        unit.child = child;
        child.once('exit', (code, signal) => {
          unit.child = null;
          this.#exited(unit, `code ${code}, signal ${signal}`, code);
        });
      },
    });
    unit.startedAt = Date.now();
    unit.start();
  }

  /**
   * Keeps running something that is already running but is not our child (the Kafka broker,
   * detached so that it survives a crash of `up`): `isAlive()` is checked every
   * LIVENESS_CHECK_INTERVAL_MS, `start()` brings it back, `stop()` stops it after the children.
   */
  addExternal(name, { isAlive, start, stop }) {
    const unit = this.#unit(name, { start, stop });
    unit.startedAt = Date.now();
    const check = async () => {
      unit.checkTimer = null;
      if (this.stopped) return;
      if (await isAlive()) unit.checkTimer = setTimeout(check, LIVENESS_CHECK_INTERVAL_MS);
      else if (!this.stopped) this.#exited(unit, 'it is no longer running', null);
    };
    unit.check = check;
    unit.checkTimer = setTimeout(check, LIVENESS_CHECK_INTERVAL_MS);
  }

  /** Stops every child (SIGTERM, SIGKILL after STOP_TIMEOUT_MS), then the external ones. */
  stop() {
    this.stopped ??= this.#stopAll();
    return this.stopped;
  }

  #unit(name, { start, stop }) {
    const unit = { name, start, stop, child: null, delayMs: null, restarts: 0, startedAt: 0 };
    this.units.push(unit);
    return unit;
  }

  #exited(unit, how, exitCode) {
    if (this.stopped) return;
    const fatal = this.fatalExitCodes.get(exitCode);
    if (fatal !== undefined) {
      this.log(`${unit.name} exited (${how}): ${fatal}. Not restarting it; stopping everything`);
      void this.stop();
      this.onFatal(exitCode);
      return;
    }
    const ranMs = Date.now() - unit.startedAt;
    unit.delayMs = nextRestartDelayMs(unit.delayMs, ranMs);
    unit.restarts += 1;
    this.log(
      `${unit.name} exited (${how}) after ${(ranMs / 1000).toFixed(1)} s; ` +
        `restart ${unit.restarts} in ${unit.delayMs / 1000} s`,
    );
    unit.restartTimer = setTimeout(() => void this.#restart(unit), unit.delayMs);
  }

  async #restart(unit) {
    unit.restartTimer = null;
    if (this.stopped) return;
    unit.startedAt = Date.now();
    try {
      // Kept so that stop() waits for a start under way (a broker) before stopping it.
      unit.starting = Promise.resolve(unit.start());
      await unit.starting;
    } catch (error) {
      this.#exited(unit, `restart failed: ${error instanceof Error ? error.message : error}`, null);
      return;
    }
    this.log(`${unit.name} restarted`);
    if (unit.check && !this.stopped)
      unit.checkTimer = setTimeout(unit.check, LIVENESS_CHECK_INTERVAL_MS);
  }

  async #stopAll() {
    for (const unit of this.units) {
      clearTimeout(unit.restartTimer);
      clearTimeout(unit.checkTimer);
    }
    const running = this.units.map((unit) => unit.child).filter((child) => child);
    const exits = running.map((child) => new Promise((r) => child.once('exit', r)));
    for (const child of running) child.kill('SIGTERM');
    const killer = setTimeout(
      () => running.forEach((child) => child.kill('SIGKILL')),
      STOP_TIMEOUT_MS,
    );
    await Promise.all(exits);
    clearTimeout(killer);
    for (const unit of [...this.units].reverse()) {
      if (!unit.stop) continue;
      try {
        await unit.starting?.catch(() => undefined);
        await unit.stop();
      } catch (error) {
        this.log(`stopping ${unit.name} failed: ${error instanceof Error ? error.message : error}`);
      }
    }
  }
}
