import { ObsBrowser } from '@/components/obs/obs-browser';

export default function ObsPage() {
  return <ObsBrowser />;
}
