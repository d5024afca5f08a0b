import { describe, expect, it } from 'vitest';
import { assertJava, JavaRuntimeError, parseJavaMajor } from './java-runtime.js';

describe('parseJavaMajor', () => {
  it('reads modern and legacy version strings', () => {
    expect(parseJavaMajor('openjdk version "17.0.15" 2025-04-15')).toEqual({ version: '17.0.15', major: 17 });
    expect(parseJavaMajor('java version "1.8.0_392"')).toEqual({ version: '1.8.0_392', major: 8 });
    expect(parseJavaMajor('openjdk version "21" 2023-09-19')).toEqual({ version: '21', major: 21 });
    expect(parseJavaMajor('no version here')).toBeUndefined();
  });
});

describe('assertJava', () => {
  it('names the missing executable', () => {
    expect(() => assertJava(17, '/nonexistent/java')).toThrow(JavaRuntimeError);
    expect(() => assertJava(17, '/nonexistent/java')).toThrow(/Java 17\+.*\/nonexistent\/java/);
  });

  it('rejects a Java older than required', () => {
    expect(() => assertJava(999)).toThrow(/needs Java 999\+, found/);
  });
});
