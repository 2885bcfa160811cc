import { UsersAndProjects } from '@/components/admin/users-and-projects';

export default function AdminPage() {
  return <UsersAndProjects />;
}
