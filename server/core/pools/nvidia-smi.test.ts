import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NVIDIA_SMI_QUERY_ARGS, parseNvidiaSmiCsv, parseNvidiaSmiList } from './nvidia-smi';

const recorded = (name: string) => fs.readFileSync(path.join(__dirname, 'fixtures/nvidia-smi', name), 'utf8');

describe('parseNvidiaSmiCsv', () => {
  it('asks for the six columns it reads, without header or units', () => {
    expect(NVIDIA_SMI_QUERY_ARGS).toEqual(['--query-gpu=index,uuid,name,memory.total,memory.used,utilization.gpu', '--format=csv,noheader,nounits']);
  });

  it('reads a single Tesla T4', () => {
    expect(parseNvidiaSmiCsv(recorded('tesla-t4.csv'))).toEqual([
      { index: 0, uuid: 'GPU-da5aebec-d85e-9c60-efb3-6eecb94fa7fb', name: 'Tesla T4', memoryTotalMiB: 15360, memoryUsedMiB: 0, utilizationPct: 0, isMigEnabled: false },
    ]);
  });

  it('reads an 8 × A100-SXM4-80GB box in index order', () => {
    const gpus = parseNvidiaSmiCsv(recorded('a100-sxm4-80gb-x8.csv'));
    expect(gpus.map((g) => g.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(new Set(gpus.map((g) => g.name))).toEqual(new Set(['NVIDIA A100-SXM4-80GB']));
    expect(gpus[6]).toEqual({
      index: 6,
      uuid: 'GPU-c3bdcf8a-0428-a157-b9f6-59634fae8c7a',
      name: 'NVIDIA A100-SXM4-80GB',
      memoryTotalMiB: 81920,
      memoryUsedMiB: 40517,
      utilizationPct: 64,
      isMigEnabled: false,
    });
  });

  it('reads a 4 × RTX 3090 workstation', () => {
    const gpus = parseNvidiaSmiCsv(recorded('rtx-3090-x4.csv'));
    expect(gpus.map((g) => [g.index, g.name, g.memoryTotalMiB, g.memoryUsedMiB, g.utilizationPct])).toEqual([
      [0, 'NVIDIA GeForce RTX 3090', 24576, 23104, 96],
      [1, 'NVIDIA GeForce RTX 3090', 24576, 22870, 95],
      [2, 'NVIDIA GeForce RTX 3090', 24576, 9, 0],
      [3, 'NVIDIA GeForce RTX 3090', 24576, 1, 0],
    ]);
  });

  it('marks a GPU in MIG mode: utilization [N/A] while memory still reads', () => {
    const [h100, plain] = parseNvidiaSmiCsv(recorded('h100-mig.csv'));
    expect(h100).toMatchObject({ name: 'NVIDIA H100 80GB HBM3', memoryTotalMiB: 81559, memoryUsedMiB: 11620, utilizationPct: null, isMigEnabled: true });
    expect(plain).toMatchObject({ index: 1, utilizationPct: 0, isMigEnabled: false });
    const station = parseNvidiaSmiCsv(recorded('dgx-station-a100-mig.csv'));
    expect(station.map((g) => g.isMigEnabled)).toEqual([true, false, false, false]);
    expect(station[2].name).toBe('NVIDIA DGX Display');
  });

  it('reads [Not Supported] on an old GeForce as unknown utilization, not as MIG', () => {
    expect(parseNvidiaSmiCsv(recorded('geforce-gtx-770.csv'))).toEqual([
      { index: 0, uuid: 'GPU-43b0599b-1ae4-146a-a7ac-f207cd5e3217', name: 'GeForce GTX 770', memoryTotalMiB: 2047, memoryUsedMiB: 311, utilizationPct: null, isMigEnabled: false },
    ]);
  });

  it('reads any bracketed reason as null, and both fields unknown as not MIG', () => {
    const [gpu] = parseNvidiaSmiCsv('0, GPU-1, NVIDIA A10, 23028, [Insufficient Permissions], [N/A]\n');
    expect(gpu).toMatchObject({ memoryTotalMiB: 23028, memoryUsedMiB: null, utilizationPct: null, isMigEnabled: false });
  });

  it('reads nothing from empty output and from the no-device message', () => {
    expect(parseNvidiaSmiCsv('')).toEqual([]);
    expect(parseNvidiaSmiCsv('\n')).toEqual([]);
    expect(parseNvidiaSmiCsv(recorded('no-devices.txt'))).toEqual([]);
  });

  it('trims fields, accepts CRLF and blank lines, and keeps a comma that is part of a name', () => {
    const gpus = parseNvidiaSmiCsv('0,  GPU-a , Tesla T4 ,15360,1 , 2\r\n\r\n1, GPU-b, Odd, Name, 1024, 0, 0\r\n');
    expect(gpus.map((g) => [g.index, g.uuid, g.name, g.memoryTotalMiB, g.memoryUsedMiB, g.utilizationPct])).toEqual([
      [0, 'GPU-a', 'Tesla T4', 15360, 1, 2],
      [1, 'GPU-b', 'Odd, Name', 1024, 0, 0],
    ]);
  });

  it('refuses malformed lines, naming the line and what is wrong', () => {
    const t4 = '0, GPU-a, Tesla T4, 15360, 0, 0';
    expect(() => parseNvidiaSmiCsv(`${t4}\n\n1, GPU-b, Tesla T4, 15360`)).toThrow('nvidia-smi output line 3: expected 6 comma-separated fields, found 4');
    expect(() => parseNvidiaSmiCsv('index, uuid, name, memory.total [MiB], memory.used [MiB], utilization.gpu [%]')).toThrow(
      'line 1: index "index" is not a whole number',
    );
    expect(() => parseNvidiaSmiCsv('0, 5c89852c, Tesla T4, 15360, 0, 0')).toThrow('line 1: uuid "5c89852c" does not start with "GPU-"');
    expect(() => parseNvidiaSmiCsv('0, GPU-a, Tesla T4, 15360 MiB, 0, 0')).toThrow('line 1: memory.total "15360 MiB" is not a number of MiB');
    expect(() => parseNvidiaSmiCsv('0, GPU-a, Tesla T4, [N/A], 0, 0')).toThrow('line 1: memory.total "[N/A]" is not a number of MiB');
    expect(() => parseNvidiaSmiCsv('0, GPU-a, Tesla T4, 15360, 0 MiB, 0')).toThrow('line 1: memory.used "0 MiB" is neither a number nor a bracketed reason');
    expect(() => parseNvidiaSmiCsv('0, GPU-a, Tesla T4, 15360, 0, 5 %')).toThrow('line 1: utilization.gpu "5 %" is neither a number nor a bracketed reason');
    expect(() => parseNvidiaSmiCsv(`${t4}\n${t4}`)).toThrow('line 2: GPU index 0 already appeared on line 1');
    expect(() => parseNvidiaSmiCsv('Failed to initialize NVML: Driver/library version mismatch')).toThrow('line 1: expected 6 comma-separated fields, found 1');
  });
});

describe('parseNvidiaSmiList', () => {
  it('reads a DGX Station A100 with GPU 0 split into seven 1g.10gb devices', () => {
    const gpus = parseNvidiaSmiList(recorded('dgx-station-a100-mig-list.txt'));
    expect(gpus.map((g) => [g.index, g.name, g.uuid, g.migDevices.length])).toEqual([
      [0, 'NVIDIA A100-SXM4-80GB', 'GPU-9434a402-0d94-4ef8-93d0-0528ee662e9c', 7],
      [1, 'NVIDIA A100-SXM4-80GB', 'GPU-0e28d4e1-04b2-1d52-1352-827618fb6373', 0],
      [2, 'NVIDIA DGX Display', 'GPU-a072e8f4-1f50-8158-39cd-12d80ffcbeed', 0],
      [3, 'NVIDIA A100-SXM4-80GB', 'GPU-af6294b0-350e-25de-b043-bdc16ea66283', 0],
    ]);
    expect(gpus[0].migDevices[0]).toEqual({ profile: '1g.10gb', deviceIndex: 0, uuid: 'MIG-e138a708-679d-5075-ab88-ba8e298ec5d3' });
    expect(gpus[0].migDevices.map((m) => m.deviceIndex)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('reads the R450 format: unpadded profiles and MIG-GPU-<uuid>/<gi>/<ci> ids', () => {
    const [gpu] = parseNvidiaSmiList(recorded('a100-sxm4-40gb-r450-mig-list.txt'));
    expect(gpu.name).toBe('A100-SXM4-40GB');
    expect(gpu.migDevices.at(-1)).toEqual({ profile: '1g.5gb', deviceIndex: 6, uuid: 'MIG-GPU-5c89852c-d268-c3f3-1b07-005d5ae1dc3f/14/0' });
  });

  it('keeps mixed profiles with their GPU, and agrees with the CSV on which GPU is in MIG mode', () => {
    const listed = parseNvidiaSmiList(recorded('h100-mig-list.txt'));
    expect(listed[0].migDevices.map((m) => m.profile)).toEqual(['3g.40gb', '2g.20gb', '1g.10gb']);
    expect(listed[1].migDevices).toEqual([]);
    const queried = parseNvidiaSmiCsv(recorded('h100-mig.csv'));
    expect(queried.map((g) => [g.uuid, g.isMigEnabled])).toEqual(listed.map((g) => [g.uuid, g.migDevices.length > 0]));
  });

  it('reads nothing from empty output and from the no-device message', () => {
    expect(parseNvidiaSmiList('')).toEqual([]);
    expect(parseNvidiaSmiList(recorded('no-devices.txt'))).toEqual([]);
  });

  it('refuses lines it does not know, naming the line', () => {
    expect(() => parseNvidiaSmiList('  MIG 1g.5gb Device 0: (UUID: MIG-x)\n')).toThrow('nvidia-smi -L output line 1: a MIG device before any GPU');
    expect(() => parseNvidiaSmiList('GPU 0: Tesla T4 (UUID: GPU-a)\nNVIDIA-SMI has failed because it could not communicate with the NVIDIA driver.')).toThrow(
      'nvidia-smi -L output line 2: neither a GPU nor a MIG device',
    );
  });
});
