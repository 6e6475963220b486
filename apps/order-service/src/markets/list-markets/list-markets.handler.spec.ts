// Proves fee rates are written exactly from parts per million, without trailing zeros.
import { ppmToRate } from './list-markets.handler';

describe('ppmToRate', () => {
  it.each([
    [0, '0'],
    [1, '0.000001'],
    [1000, '0.001'],
    [2500, '0.0025'],
    [1_000_000, '1'],
  ])('%d ppm is %s', (ppm, rate) => {
    expect(ppmToRate(ppm)).toBe(rate);
  });
});
