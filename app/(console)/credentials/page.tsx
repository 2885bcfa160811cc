import { AccessKeysPage } from '@/components/access/access-keys-page';

export default function CredentialsPage() {
  return <AccessKeysPage />;
}
