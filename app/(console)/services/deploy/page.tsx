import { Suspense } from 'react';
import { DeployServiceForm } from '@/components/services/deploy-service-form';

export default function DeployPage() {
  return (
    <Suspense>
      <DeployServiceForm />
    </Suspense>
  );
}
