import { CreateAppForm } from '@/components/apps/create-app-form';

export default function CreateAppPage() {
  return <CreateAppForm />;
}
