import { TrainingJobsPage } from '@/components/training/training-jobs-page';

export default function TrainingJobs() {
  return <TrainingJobsPage />;
}
