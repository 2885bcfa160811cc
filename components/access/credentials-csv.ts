/** `credentials.csv` as the guide's figure shows it (§3.1.4.2.2): a header line and one row, RFC 4180 quoting, CRLF. */
import { CREDENTIALS_CSV_COLUMNS, type TCreatedAccessKey } from '@/server/contracts/access';

const cell = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

export function credentialsCsv(key: Pick<TCreatedAccessKey, 'userName' | 'accessKey' | 'secretKey'>): string {
  return [CREDENTIALS_CSV_COLUMNS.join(','), [key.userName, key.accessKey, key.secretKey].map(cell).join(',')].join('\r\n') + '\r\n';
}
