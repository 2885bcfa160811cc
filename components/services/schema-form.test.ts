/** The prediction form from a request schema: which schemas get a form, the body it builds, and each field's error before sending. */
import { describe, expect, it } from 'vitest';
import { buildBody, formFields, valuesFrom } from './schema-form';

const IRIS = {
  type: 'object',
  required: ['sepal_length', 'species_hint'],
  properties: {
    sepal_length: { type: 'number', minimum: 0 },
    petals: { type: 'integer', maximum: 10 },
    species_hint: { type: 'string', enum: ['setosa', 'virginica'] },
    options: { type: 'object', required: ['verbose'], properties: { verbose: { type: 'boolean' }, note: { type: 'string' } } },
  },
};

describe('formFields', () => {
  it('gives one typed field per primitive, nested objects as dotted paths, required only down a required chain', () => {
    expect(formFields(IRIS)?.map((f) => [f.name, f.type, f.required, f.options ?? null])).toEqual([
      ['sepal_length', 'number', true, null], ['petals', 'integer', false, null], ['species_hint', 'string', true, ['setosa', 'virginica']],
      ['options.verbose', 'boolean', false, null], ['options.note', 'string', false, null],
    ]);
  });

  it('has no form for arrays, files, untyped fields or a schema that is not an object', () => {
    expect(formFields({ type: 'object', properties: { data: { type: 'object', properties: { req_data: { type: 'array', items: [{ type: 'object' }] } } } } })).toBeNull();
    expect(formFields({ type: 'object', properties: { images: { type: 'file' } } })).toBeNull();
    expect(formFields({ type: 'object', properties: { x: {} } })).toBeNull();
    expect(formFields({ type: 'string' })).toBeNull();
    expect(formFields(null)).toBeNull();
    expect(formFields({ type: 'object', properties: {} })).toBeNull();
  });
});

describe('buildBody', () => {
  const fields = formFields(IRIS)!;
  it('builds the body with numbers as numbers, leaving empty optional fields out', () => {
    expect(buildBody(fields, { sepal_length: ' 5.1 ', species_hint: 'setosa', 'options.verbose': true, petals: '' })).toEqual({
      body: { sepal_length: 5.1, species_hint: 'setosa', options: { verbose: true } },
    });
  });
  it('names each field at fault before sending', () => {
    expect(buildBody(fields, { sepal_length: 'abc', petals: '2.5', species_hint: 'rose' })).toEqual({ errors: { sepal_length: 'notANumber', petals: 'notAnInteger', species_hint: 'notAnOption' } });
    expect(buildBody(fields, { sepal_length: '-1', petals: '11' })).toEqual({ errors: { sepal_length: 'belowMinimum', petals: 'aboveMaximum', species_hint: 'required' } });
  });
  it('reads a raw body back into the form', () => {
    expect(valuesFrom(fields, { sepal_length: 4, species_hint: 'virginica', options: { verbose: true, note: 7 }, extra: 1 })).toEqual({
      sepal_length: '4', species_hint: 'virginica', 'options.verbose': true, 'options.note': '7',
    });
  });
});
