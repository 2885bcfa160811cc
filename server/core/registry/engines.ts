/** AI engines and runtimes of guide table 2-2. */
export type TEngine = {
  modelType: string;
  runtimes: { name: string; status?: 'recommended' | 'retiring' }[];
  defaultRuntime: string;
  /** Guide §2.1: default start command of the engine's preset image. */
  defaultStartCommand: string;
};

const MIND = 'sh /home/mind/run.sh';
const PREDICT = 'bash /home/work/predict/bin/run.sh';

export const ENGINES: TEngine[] = [
  {
    modelType: 'TensorFlow',
    runtimes: [
      { name: 'python3.6' },
      { name: 'python2.7', status: 'retiring' },
      { name: 'tf1.13-python3.6-gpu' },
      { name: 'tf1.13-python3.6-cpu' },
      { name: 'tf1.13-python3.7-cpu' },
      { name: 'tf1.13-python3.7-gpu' },
      { name: 'tf2.1-python3.7', status: 'retiring' },
      { name: 'tensorflow_2.1.0-cuda_10.1-py_3.7-ubuntu_18.04-x86_64', status: 'recommended' },
    ],
    defaultRuntime: 'python2.7',
    defaultStartCommand: MIND,
  },
  {
    modelType: 'Spark_MLlib',
    runtimes: [{ name: 'python2.7', status: 'retiring' }, { name: 'python3.6', status: 'retiring' }],
    defaultRuntime: 'python2.7',
    defaultStartCommand: PREDICT,
  },
  {
    modelType: 'Scikit_Learn',
    runtimes: [{ name: 'python2.7', status: 'retiring' }, { name: 'python3.6', status: 'retiring' }],
    defaultRuntime: 'python2.7',
    defaultStartCommand: PREDICT,
  },
  {
    modelType: 'XGBoost',
    runtimes: [{ name: 'python2.7', status: 'retiring' }, { name: 'python3.6', status: 'retiring' }],
    defaultRuntime: 'python2.7',
    defaultStartCommand: PREDICT,
  },
  {
    modelType: 'PyTorch',
    runtimes: [
      { name: 'python2.7', status: 'retiring' },
      { name: 'python3.6' },
      { name: 'python3.7' },
      { name: 'pytorch1.4-python3.7' },
      { name: 'pytorch1.5-python3.7', status: 'retiring' },
      { name: 'pytorch_1.8.0-cuda_10.2-py_3.7-ubuntu_18.04-x86_64', status: 'recommended' },
    ],
    defaultRuntime: 'python2.7',
    defaultStartCommand: MIND,
  },
  { modelType: 'MindSpore', runtimes: [{ name: 'aarch64', status: 'recommended' }], defaultRuntime: 'aarch64', defaultStartCommand: MIND },
];

/** Engines whose APIs take only application/json (guide table 4-4). */
export const MACHINE_LEARNING_ENGINES = new Set(['Spark_MLlib', 'Scikit_Learn', 'XGBoost']);

export const findEngine = (modelType: string) => ENGINES.find((e) => e.modelType === modelType);
