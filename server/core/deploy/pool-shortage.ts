/** Whether one more service fits a node next to the services already holding its resources. */
import type { TFlavor } from '../../contracts/services';
import type { TNodeCapacity } from '../runtime/runtime-driver';

type TDemand = { flavor: Pick<TFlavor, 'cpu' | 'memoryGiB' | 'gpu'> | undefined; count: number };

/** Undefined when `wanted` fits beside `held` on `node`; else which resources are short, with free vs asked. */
export function findShortage(node: TNodeCapacity, held: TDemand[], wanted: TDemand): string | undefined {
  const used = { cpu: 0, memoryGiB: 0, gpu: 0 };
  for (const { flavor, count } of held) {
    if (!flavor) continue;
    used.cpu += flavor.cpu * count;
    used.memoryGiB += flavor.memoryGiB * count;
    used.gpu += flavor.gpu * count;
  }
  if (!wanted.flavor) return 'its compute specification no longer exists';
  const asked = { cpu: wanted.flavor.cpu * wanted.count, memoryGiB: wanted.flavor.memoryGiB * wanted.count, gpu: wanted.flavor.gpu * wanted.count };
  const free = { cpu: node.cpus - used.cpu, memoryGiB: node.memoryGiB - used.memoryGiB, gpu: node.gpus - used.gpu };
  const short = [
    asked.cpu > free.cpu && `${asked.cpu} vCPUs asked, ${Math.max(0, free.cpu)} of ${node.cpus} free`,
    asked.memoryGiB > free.memoryGiB && `${asked.memoryGiB} GiB memory asked, ${Math.max(0, free.memoryGiB)} of ${node.memoryGiB} GiB free`,
    asked.gpu > free.gpu && `${asked.gpu} GPUs asked, ${Math.max(0, free.gpu)} of ${node.gpus} free`,
  ].filter(Boolean);
  return short.length ? `Not enough resources in the local pool: ${short.join('; ')}.` : undefined;
}
