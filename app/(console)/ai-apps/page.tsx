import { AppsList } from '@/components/apps/apps-list';

export default function AppsPage() {
  return <AppsList />;
}
