import { ImageRepository } from '@/components/images/image-repository';

export default function ImagesPage() {
  return <ImageRepository />;
}
