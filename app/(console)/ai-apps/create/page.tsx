import { Suspense } from 'react';
import { CreateAppForm } from '@/components/apps/create-app-form';

export default function CreateAppPage() {
  return (
    <Suspense>
      <CreateAppForm />
    </Suspense>
  );
}
