import { describe, expect, it } from 'vitest';
import { parseNvidiaSmiList } from './gpu-detect';

// Recorded `nvidia-smi -L` output (driver 550, two devices) and the no-device message.
const TWO_GPUS = `GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-5c1e0f7a-1b2c-3d4e-8f90-112233445566)
GPU 1: NVIDIA A10 (UUID: GPU-0a9b8c7d-6e5f-4a3b-2c1d-0e0f10111213)
`;

describe('nvidia-smi -L parsing', () => {
  it('reads one GPU per line', () => {
    expect(parseNvidiaSmiList(TWO_GPUS)).toEqual([
      { index: 0, name: 'NVIDIA H100 80GB HBM3', uuid: 'GPU-5c1e0f7a-1b2c-3d4e-8f90-112233445566' },
      { index: 1, name: 'NVIDIA A10', uuid: 'GPU-0a9b8c7d-6e5f-4a3b-2c1d-0e0f10111213' },
    ]);
  });
  it('finds none in an error message', () => {
    expect(parseNvidiaSmiList('No devices were found\n')).toEqual([]);
  });
});
