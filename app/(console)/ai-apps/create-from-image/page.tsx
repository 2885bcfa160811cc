import { ImageAppForm } from '@/components/apps/image-app-form';

export default function CreateImageAppPage() {
  return <ImageAppForm />;
}
