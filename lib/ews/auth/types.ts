/** What a mailbox's credentialsRef resolves to (the secret's content). */
export type EwsCredentials =
  | { type: 'basic'; username: string; password: string }
  | {
      type: 'oauth2';
      tenantId: string;
      clientId: string;
      clientSecret: string;
      /** Overrides the Microsoft identity platform token endpoint (tests, sovereign clouds). */
      tokenUrl?: string;
    };

/** Supplies the Authorization header of EWS calls. */
export interface AuthProvider {
  readonly scheme: 'Basic' | 'Bearer';
  authorization(signal?: AbortSignal): Promise<string>;
  /**
   * The server answered 401 to `authorization`. Returns true when a retry with a fresh credential
   * may succeed (a cached token was dropped); false when retrying would send the same thing.
   */
  rejected(authorization: string): boolean;
}
