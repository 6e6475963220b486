/**
 * A level-triggered wake-up: `wake()` ends the current `wait`, or, when nobody waits, makes the
 * next `wait` return at once. So a notification that arrives while the relay is busy with a
 * batch is not lost: the relay looks again right after.
 */
export class Wakeup {
  private pending = false;
  private release: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;

  /** Resolves after `ms`, or earlier on `wake()`. Returns true if woken. */
  wait(ms: number): Promise<boolean> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      this.timer = setTimeout(() => {
        this.release = undefined;
        resolve(false);
      }, ms);
      this.release = () => {
        clearTimeout(this.timer);
        this.release = undefined;
        resolve(true);
      };
    });
  }

  wake(): void {
    if (this.release !== undefined) this.release();
    else this.pending = true;
  }
}
