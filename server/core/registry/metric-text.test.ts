import { describe, expect, it } from 'vitest';
import { validateModelConfig } from './config-schema';
import { metricSourceTexts, truncateDecimal } from './metric-text';

const config = (metrics: string) => `{"model_algorithm": "predict_analysis", "model_type": "Scikit_Learn", "metrics": ${metrics}}`;
const metricsOf = (text: string) => validateModelConfig(JSON.parse(text), text).config?.metrics;

describe('model precision keeps 17 decimal places by truncation (guide table 4-2)', () => {
  it('keeps 0.12345678901234567 exactly, which JSON.parse rounds to …566', () => {
    expect(String(JSON.parse('0.12345678901234567'))).toBe('0.12345678901234566');
    expect(metricsOf(config('{"f1": 0.12345678901234567}'))).toEqual({ f1: '0.12345678901234567' });
  });

  it('truncates longer values to their first 17 decimals, never rounding up', () => {
    expect(metricsOf(config('{"f1": 0.123456789012345678999, "recall": 0.99999999999999999999}'))).toEqual({
      f1: '0.12345678901234567',
      recall: '0.99999999999999999',
    });
  });

  it('keeps short values as written, without trailing zeros', () => {
    expect(metricsOf(config('{"accuracy": 0.9933, "precision": 1, "recall": 0.50}'))).toEqual({ accuracy: '0.9933', precision: '1', recall: '0.5' });
  });

  it('writes exponent forms out as decimals', () => {
    expect(truncateDecimal('1e-5')).toBe('0.00001');
    expect(truncateDecimal('9.9E-1')).toBe('0.99');
    expect(truncateDecimal('1.25e1')).toBe('12.5');
    expect(truncateDecimal('1e-17')).toBe('0.00000000000000001');
    expect(truncateDecimal('1e-18')).toBe('0');
    expect(truncateDecimal('-0.000000000000000001')).toBe('0');
    expect(truncateDecimal('-0.5')).toBe('-0.5');
  });

  it('reads only the top-level metrics object, the last duplicate winning as in JSON.parse', () => {
    const text = '{"apis": [{"metrics": {"f1": 0.1}}], "metrics": {"f1": 0.2, "f\\u0031": 0.30000000000000000001, "nested": {"f1": 5}}, "x": [1, true, null, "metrics"]}';
    expect(metricSourceTexts(text)).toEqual({ f1: '0.30000000000000000001' });
  });

  it('falls back to the parsed number when no source text is given', () => {
    expect(validateModelConfig(JSON.parse(config('{"f1": 0.25}'))).config?.metrics).toEqual({ f1: '0.25' });
  });
});
