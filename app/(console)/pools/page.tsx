import { ResourcePools } from '@/components/pools/resource-pools';

export default function PoolsPage() {
  return <ResourcePools />;
}
