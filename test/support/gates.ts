// Forcing an interleaving by hand: a port call that stops at a gate until the test opens it, as a
// Lambda environment frozen at that await and thawed later would.

/** A point a call stops at: `reached` resolves when a call arrives, `open()` lets it go on. */
export class Gate {
  private arrive!: () => void;
  private release!: () => void;
  readonly reached = new Promise<void>((resolve) => {
    this.arrive = resolve;
  });
  private readonly opened = new Promise<void>((resolve) => {
    this.release = resolve;
  });

  /** Called by the gated port: waits until the test opens the gate. */
  async pass(): Promise<void> {
    this.arrive();
    await this.opened;
  }

  open(): void {
    this.release();
  }
}

/**
 * The port with its `method` stopping at `gate` for the calls `when` selects (the first by
 * default), before the call (`before`) or after it returned, holding its result (`after`).
 */
export function gated<T extends object>(
  port: T,
  method: keyof T & string,
  gate: Gate,
  options: { when?: (args: unknown[], call: number) => boolean; at?: 'before' | 'after' } = {},
): T {
  const when = options.when ?? ((_args, call) => call === 0);
  let calls = 0;
  return new Proxy(port, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (prop !== method || typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        const stop = when(args, calls++);
        if (stop && options.at !== 'after') await gate.pass();
        const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        if (stop && options.at === 'after') await gate.pass();
        return result;
      };
    },
  });
}
