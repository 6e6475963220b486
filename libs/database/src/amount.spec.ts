// Proves the amount conversions are exact and refuse anything they would have to round, by
// converting edge values (signs, 38 digits, fractions, unsafe integers) both ways.
import { In } from 'typeorm';
import { parseScaled } from '@app/domain';
import { bigintTransformer, decimalToMinorUnits, toBigInt, toSafeInteger } from './amount';

describe('toBigInt', () => {
  it('reads NUMERIC(38,0) strings exactly, including 38 digits and signs', () => {
    expect(toBigInt('0')).toBe(0n);
    expect(toBigInt('-17')).toBe(-17n);
    expect(toBigInt('9'.repeat(38))).toBe(10n ** 38n - 1n);
    expect(toBigInt(42)).toBe(42n);
    expect(toBigInt(5n)).toBe(5n);
  });

  it('refuses fractions, blanks and unsafe numbers', () => {
    for (const bad of ['1.5', '1.0', '', ' 1', '1e3', 'NaN', '0x10']) {
      expect(() => toBigInt(bad)).toThrow(RangeError);
    }
    expect(() => toBigInt(2 ** 53)).toThrow(RangeError);
    expect(() => toBigInt(0.5)).toThrow(RangeError);
  });
});

describe('toSafeInteger', () => {
  it('reads BIGINT strings up to 2^53 - 1 and refuses more', () => {
    expect(toSafeInteger('9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
    expect(toSafeInteger('-3')).toBe(-3);
    expect(() => toSafeInteger('9007199254740992')).toThrow(RangeError);
  });
});

describe('decimalToMinorUnits', () => {
  it('scales whole-unit decimals exactly', () => {
    expect(decimalToMinorUnits('100000', 8)).toBe(10_000_000_000_000n);
    expect(decimalToMinorUnits('0.00000001', 8)).toBe(1n);
    expect(decimalToMinorUnits('1.50', 2)).toBe(150n);
    expect(decimalToMinorUnits('7', 0)).toBe(7n);
    expect(decimalToMinorUnits('0', 8)).toBe(0n);
  });

  it('agrees with the domain parser the API uses, trailing zeros and signs included', () => {
    // Before the two parsers were one, this helper read "7.000" at scale 0 as 7 and "-2.5" as
    // -25 while the API refused both; now both refuse them.
    for (const [text, scale] of [
      ['7.000', 0],
      ['1.500', 2],
      ['-2.5', 1],
      ['1e3', 8],
      ['', 8],
    ] as const) {
      const parsed = parseScaled(text, scale);
      expect(parsed.ok).toBe(false);
      expect(() => decimalToMinorUnits(text, scale)).toThrow(RangeError);
      if (!parsed.ok) expect(() => decimalToMinorUnits(text, scale)).toThrow(parsed.code);
    }
    for (const [text, scale] of [
      ['100000', 8],
      ['0.5', 8],
      ['1.50', 2],
      ['123456789.123456789012345678', 18],
    ] as const) {
      const parsed = parseScaled(text, scale);
      expect(parsed).toEqual({ ok: true, value: decimalToMinorUnits(text, scale) });
    }
  });

  it('refuses more decimals than the scale and malformed input', () => {
    expect(() => decimalToMinorUnits('0.000000001', 8)).toThrow(RangeError);
    expect(() => decimalToMinorUnits('1.', 8)).toThrow(RangeError);
    expect(() => decimalToMinorUnits('.5', 8)).toThrow(RangeError);
    expect(() => decimalToMinorUnits('1', 19)).toThrow(RangeError);
  });
});

describe('bigintTransformer', () => {
  it('maps bigint to a decimal string and back, and NULL to null', () => {
    expect(bigintTransformer.to(123n)).toBe('123');
    expect(bigintTransformer.to(null)).toBeNull();
    expect(bigintTransformer.from('-99999999999999999999')).toBe(-99999999999999999999n);
    expect(bigintTransformer.from(null)).toBeNull();
  });

  it('leaves find operators to TypeORM, which transforms their values itself', () => {
    const operator = In([1n]);
    expect(bigintTransformer.to(operator)).toBe(operator);
  });

  it('refuses a fractional database value instead of truncating it', () => {
    expect(() => bigintTransformer.from('1.5')).toThrow(RangeError);
  });
});
