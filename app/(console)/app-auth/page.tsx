import { AuthAppsPage } from '@/components/access/auth-apps-page';

export default function AppAuthPage() {
  return <AuthAppsPage />;
}
