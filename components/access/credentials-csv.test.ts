import { describe, expect, it } from 'vitest';
import { credentialsCsv } from './credentials-csv';

describe('credentialsCsv', () => {
  it('has the guide’s three columns and one row', () => {
    expect(credentialsCsv({ userName: 'admin', accessKey: 'QTWAOYTTINDUT2QVKYUC', secretKey: 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc' })).toBe(
      'User Name,Access Key Id,Secret Access Key\r\nadmin,QTWAOYTTINDUT2QVKYUC,MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc\r\n',
    );
  });
  it('quotes a value with a comma or a quote', () => {
    expect(credentialsCsv({ userName: 'o"neil, jr', accessKey: 'A', secretKey: 'S' }).split('\r\n')[1]).toBe('"o""neil, jr",A,S');
  });
});
