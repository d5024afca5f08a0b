import type { AuthProvider } from './types.js';

/** Basic authentication for on-premises Exchange. */
export class BasicAuthProvider implements AuthProvider {
  readonly scheme = 'Basic';
  readonly #header: string;

  constructor(username: string, password: string) {
    this.#header = `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
  }

  async authorization(): Promise<string> {
    return this.#header;
  }

  rejected(): boolean {
    return false;
  }
}
