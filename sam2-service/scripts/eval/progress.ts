/** A one-line progress bar on a terminal (stderr); silent when stderr is not a TTY (CI, pipes). */
export class ProgressBar {
  private done = 0;
  private readonly tty = Boolean(process.stderr.isTTY);
  private readonly started = Date.now();

  constructor(private readonly total: number) {}

  tick(label: string): void {
    this.done++;
    if (!this.tty) return;
    const width = 28;
    const filled = Math.round((width * this.done) / Math.max(1, this.total));
    const elapsed = (Date.now() - this.started) / 1000;
    const eta = this.done ? (elapsed / this.done) * (this.total - this.done) : 0;
    const line = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${this.done}/${this.total} ETA ${eta.toFixed(0)} s ${label}`;
    process.stderr.write(
      `\r${line.slice(0, (process.stderr.columns || 100) - 1).padEnd(Math.min(100, (process.stderr.columns || 100) - 1))}`,
    );
  }

  end(): void {
    if (this.tty) process.stderr.write('\n');
  }
}
