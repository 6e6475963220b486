import { Transform } from 'class-transformer';

/**
 * Environment variables are strings. These converters turn them into the types the settings
 * classes declare, leaving anything unparseable in a form the validators reject (NaN, or the
 * original string) so the error names the variable instead of silently defaulting.
 */
export function ToInt(): PropertyDecorator {
  return Transform(({ value }) => {
    if (typeof value === 'number') return value;
    if (typeof value !== 'string' || !/^-?\d+$/.test(value.trim())) return Number.NaN;
    return Number(value.trim());
  });
}

export function ToBoolean(): PropertyDecorator {
  return Transform(({ value }) => {
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === '1') return true;
    if (value === 'false' || value === '0') return false;
    return value;
  });
}

/** A comma-separated list, trimmed, empty entries dropped. */
export function ToList(): PropertyDecorator {
  return Transform(({ value }) => {
    if (Array.isArray(value)) return value;
    if (typeof value !== 'string') return value;
    return value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0);
  });
}
