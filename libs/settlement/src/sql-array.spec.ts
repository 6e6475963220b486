// Proves sqlArray writes literals PostgreSQL reads back as the same values: nulls, integers of any size, and strings with quotes, backslashes, commas, braces and the word NULL.
import { sqlArray } from './sql-array';

describe('sqlArray', () => {
  it('writes an empty array', () => {
    expect(sqlArray([])).toBe('{}');
  });

  it('writes nulls, safe integers and bigints unquoted', () => {
    expect(sqlArray([null, 0, -7, 9_007_199_254_740_991, -(10n ** 30n)])).toBe(
      '{NULL,0,-7,9007199254740991,-1000000000000000000000000000000}',
    );
  });

  it('quotes every string, escaping quotes and backslashes only', () => {
    expect(sqlArray(['BTC-USDT:1', 'NULL', '', 'a,b{c}', 'say "hi"', 'back\\slash'])).toBe(
      '{"BTC-USDT:1","NULL","","a,b{c}","say \\"hi\\"","back\\\\slash"}',
    );
  });

  it('refuses numbers that are not safe integers', () => {
    expect(() => sqlArray([1.5])).toThrow(RangeError);
    expect(() => sqlArray([2 ** 53])).toThrow(RangeError);
    expect(() => sqlArray([Number.NaN])).toThrow(RangeError);
  });
});
