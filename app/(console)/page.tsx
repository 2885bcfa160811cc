import { OverviewPage } from '@/components/monitoring/overview-page';

export default function Home() {
  return <OverviewPage />;
}
