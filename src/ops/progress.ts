/**
 * A one-line progress display for long runs (npm run fuzz, npm run bench): done / total, elapsed,
 * rate, redrawn in place on a terminal. Not on a terminal (CI, a pipe, a file) it writes nothing,
 * so logs stay clean.
 */

export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

export interface ProgressOptions {
  /** What is counted, plural: "targets", "suites". */
  unit: string;
  total: number;
  stream?: ProgressStream;
  /** Redraw period while running, ms. */
  everyMs?: number;
  now?: () => number;
}

export class Progress {
  private done = 0;
  private note = '';
  private readonly started: number;
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly stream: ProgressStream;
  private readonly now: () => number;
  readonly active: boolean;

  constructor(private readonly options: ProgressOptions) {
    this.stream = options.stream ?? process.stderr;
    this.now = options.now ?? Date.now;
    this.started = this.now();
    this.active = this.stream.isTTY === true;
    if (this.active) {
      this.timer = setInterval(() => this.draw(), options.everyMs ?? 500);
      this.timer.unref();
    }
  }

  /** `done` of the total finished; `note` says what runs now. */
  set(done: number, note = ''): void {
    this.done = done;
    this.note = note;
    this.draw();
  }

  /** The line as drawn: "3/10 targets  12 s  0.25 targets/s  si". */
  line(): string {
    const seconds = (this.now() - this.started) / 1000;
    const rate = seconds > 0 ? this.done / seconds : 0;
    const rateText = rate >= 1 ? rate.toFixed(1) : rate.toFixed(3);
    return `${this.done}/${this.options.total} ${this.options.unit}  ${seconds.toFixed(0)} s  ${rateText} ${this.options.unit}/s${this.note ? `  ${this.note}` : ''}`;
  }

  /** Ends the display, leaving the last line. */
  finish(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.active) this.stream.write(`\r\x1b[K${this.line()}\n`);
  }

  private draw(): void {
    if (this.active) this.stream.write(`\r\x1b[K${this.line()}`);
  }
}
