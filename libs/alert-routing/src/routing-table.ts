import { loadRoutingConfig } from './config-loader';
import type { RoutingConfig } from './config-schema';

/**
 * The routing config in force. `reload()` reads the file again and swaps it in only when it is valid;
 * a bad file leaves the previous config running and the error goes to the caller (SIGHUP logs it).
 */
export class RoutingTable {
  private config: RoutingConfig;
  private readonly listeners: Array<(c: RoutingConfig) => void> = [];

  constructor(private readonly file: string, initial?: RoutingConfig) {
    this.config = initial ?? loadRoutingConfig(file);
  }

  get current(): RoutingConfig {
    return this.config;
  }

  onChange(cb: (c: RoutingConfig) => void): void {
    this.listeners.push(cb);
  }

  reload(): RoutingConfig {
    const next = loadRoutingConfig(this.file);
    this.config = next;
    for (const cb of this.listeners) cb(next);
    return next;
  }
}
