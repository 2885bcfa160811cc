import { TrainingJobDetail } from '@/components/training/training-job-detail';

export default async function TrainingJobPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <TrainingJobDetail id={id} />;
}
