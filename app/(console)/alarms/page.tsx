import { Suspense } from 'react';
import { AlarmsPage } from '@/components/alarms/alarms-page';

export default function Alarms() {
  // The page reads ?create=1&service=… (the monitoring tab's link).
  return (
    <Suspense>
      <AlarmsPage />
    </Suspense>
  );
}
