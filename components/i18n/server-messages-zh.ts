/**
 * Chinese for the English messages the server and the shared zod schemas produce (field errors,
 * refusals). REST clients get English; the console translates what it recognises and shows the
 * rest as sent.
 */
const EXACT: Record<string, string> = {
  'Choose a metric.': '请选择指标。',
  'Enter a number.': '请输入数字。',
  'The period is 1, 5, 10, 30 or 60 minutes.': '监控周期为 1、5、10、30 或 60 分钟。',
  'A whole number.': '请输入整数。',
  'At most 10.': '最多为 10。',
  'An http(s) URL.': '请输入 http(s) 地址。',
  'Choose a service.': '请选择服务。',
  'Choose a version.': '请选择版本。',
  'No such service in this project.': '本项目中没有该服务。',
  'The service has no such version.': '该服务没有此版本。',
  'A folder name cannot contain "/" or "\\".': '文件夹名称不能包含“/”或“\\”。',
  'At least 1 hour.': '至少 1 小时。',
  'At least 1 instance.': '至少 1 个实例。',
  'At least 3 minutes.': '至少 3 分钟。',
  'At most 120 minutes.': '最多 120 分钟。',
  'At most 128 instances.': '最多 128 个实例。',
  'At most 24 hours.': '最多 24 小时。',
  'At most 3 AI application description documents.': 'AI应用说明最多 3 条。',
  'At most 4096 characters.': '最多 4096 个字符。',
  'At most 500 characters.': '最多 500 个字符。',
  'At most 64 characters.': '最多 64 个字符。',
  'Choose a compute specification.': '请选择计算节点规格。',
  'Choose a directory in object storage (obs://bucket/path).': '请选择对象存储中的目录（obs://桶/路径）。',
  'Choose an AI application and version.': '请选择 AI 应用及版本。',
  'Choose at least one deployment type.': '请至少选择一种部署类型。',
  'Each variable name can appear once.': '环境变量名不能重复。',
  'Enter a folder name.': '请输入文件夹名称。',
  'Enter a name.': '请输入名称。',
  'Letters, digits, "-" and "_", starting with a letter.': '只能包含字母、数字、“-”和“_”，以字母开头。',
  'An object-storage folder: obs://bucket/path/.': '对象存储中的目录：obs://桶/路径/。',
  'A .py file inside the code folder, e.g. train.py or src/train.py.': '代码目录中的 .py 文件，例如 train.py 或 src/train.py。',
  'Letters, digits, "_", "." and "-", starting with a letter or "_" (at most 64).': '只能包含字母、数字、“_”、“.”和“-”，以字母或“_”开头（最多 64 个字符）。',
  'Choose a specification.': '请选择规格。',
  'Enter the boot file.': '请输入启动文件。',
  'Each hyperparameter can appear once.': '超参名称不能重复。',
  'train_url is set by Anvil: the output folder.': 'train_url 由 Anvil 设置为输出目录。',
  'No control characters.': '不能包含控制字符。',
  'Enter a number, e.g. 0.9933.': '请输入数字，例如 0.9933。',
  'Enter a whole number of hours.': '请输入整数小时。',
  'Enter a whole number of minutes.': '请输入整数分钟。',
  'Enter a whole number.': '请输入整数。',
  'Only letters, Chinese characters, digits, "-" and "_" are allowed.': '只能包含字母、中文、数字、中划线“-”和下划线“_”。',
  'PORT and ANVIL_* are set by Anvil.': 'PORT 和 ANVIL_* 由 Anvil 设置。',
  'The model path must not contain spaces.': '模型路径不能包含空格。',
  'Use a version such as 0.0.1.': '请使用形如 0.0.1 的版本号。',
  'Use letters, digits and "_", not starting with a digit.': '只能包含字母、数字和“_”，且不能以数字开头。',
  'With one version the traffic ratio is 100%.': '只有一个版本时分流为 100%。',
  'The chosen directory must contain a folder named "model" (guide §4.1.1).': '所选目录必须包含名为“model”的文件夹（指南 §4.1.1）。',
  'The chosen model directory does not exist.': '所选模型目录不存在。',
  'The file is not a valid .zip archive.': '该文件不是有效的 .zip 压缩包。',
  'The user name, password or domain name is incorrect.': '用户名、密码或账号名错误。',
  'Wait until the import finishes.': '请等待导入完成。',
  'Use an http:// or https:// address.': '请使用 http:// 或 https:// 地址。',
  "Anvil does not run custom start commands yet: every model runs in Anvil's Python model server. Leave the start command empty.":
    'Anvil 暂不支持自定义启动命令：所有模型都由 Anvil 的 Python 模型服务器运行。请将启动命令留空。',
  '3-63 characters: lowercase letters, digits and "-", not at either end.': '3-63 个字符：小写字母、数字和“-”，且“-”不能在首尾。',
  'Log in to continue.': '请先登录。',
  'Start with a lowercase letter; then lowercase letters, digits, "-" and "_".': '以小写字母开头，只能包含小写字母、数字、“-”和“_”。',
  'Start with a letter; then letters, digits, "-", "_" and ".".': '以字母开头，只能包含字母、数字、“-”、“_”和“.”。',
  'At least 8 characters.': '至少 8 个字符。',
  'At most 32 characters.': '最多 32 个字符。',
  'At most 128 characters.': '最多 128 个字符。',
  'Choose at least one project.': '请至少选择一个项目。',
  'Choose a project.': '请选择项目。',
  'You cannot delete your own user.': '不能删除自己的用户。',
  'A user must stay a member of at least one project; delete the user instead.': '用户至少要属于一个项目；如需移除，请删除该用户。',
  'The last administrator cannot be deleted.': '不能删除最后一个管理员。',
  'Only an administrator can manage users and projects.': '只有管理员可以管理用户和项目。',
  'The project does not exist in this domain or the user cannot access it.': '项目不存在，或该用户不是此项目的成员。',
  'The pool has no node.': '该资源池没有节点。',
  'No node of the pool is reachable.': '该资源池没有可达的节点。',
  'Choose a resource pool.': '请选择资源池。',
  'At least 2 characters.': '至少 2 个字符。',
  'At most 256 characters.': '最多 256 个字符。',
  'At most 300 characters.': '最多 300 个字符。',
  'At least 1.': '至少为 1。',
  'At least 1 GiB.': '至少 1 GiB。',
  'Start with a lowercase letter; then lowercase letters, digits and "-".': '以小写字母开头，只能包含小写字母、数字和“-”。',
  'Letters, digits, "-", "_" and ".", starting with a letter or digit.': '只能包含字母、数字、“-”、“_”和“.”，且以字母或数字开头。',
  'Enter the engine address.': '请输入引擎地址。',
  'Use unix:///path/to/docker.sock or tcp://host:port (for example tcp://10.0.0.5:2376).': '请使用 unix:///path/to/docker.sock 或 tcp://host:port（例如 tcp://10.0.0.5:2376）。',
  'A unix endpoint needs an absolute socket path, e.g. unix:///var/run/docker.sock.': 'unix 地址需要套接字的绝对路径，例如 unix:///var/run/docker.sock。',
  'A tcp:// engine needs TLS client certificates: paste the CA, the certificate and the key (PEM).': 'tcp:// 引擎需要 TLS 客户端证书：请粘贴 CA、证书和私钥（PEM）。',
  'Paste a PEM block (-----BEGIN …----- … -----END …-----).': '请粘贴 PEM 内容（-----BEGIN …----- … -----END …-----）。',
  'The local pool cannot be deleted.': '不能删除本地资源池。',
  'The local pool is this machine; add Docker nodes to a Docker pool.': '本地资源池就是本机；请将 Docker 节点添加到 Docker 资源池。',
};

/** Service statuses and operations as the guide's Chinese console names them (§0.2, §3.4). */
const ZH_STATUS: Record<string, string> = {
  deploying: '部署中', waiting: '等待资源', running: '运行中', concerning: '告警', failed: '异常', stopping: '停止中', stopped: '停止', deleting: '删除中',
};
const ZH_OPERATION: Record<string, string> = { started: '启动', stopped: '停止', restarted: '重启' };
const ZH_VERB: Record<string, string> = { stop: '停止', restart: '重启', delete: '删除' };
const ZH_LOGIN_LIMIT: Record<string, string> = {
  'Too many login attempts from this address': '此地址的登录尝试过多',
  'Too many failed logins for this user': '该用户登录失败次数过多',
  'Another login for this user is being checked': '该用户的另一次登录正在验证',
};

const PATTERNS: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^A service named (.+) already exists\.$/, (m) => `名为 ${m[1]} 的服务已存在。`],
  [/^AI application (.+) already has version (.+)\.$/, (m) => `AI应用 ${m[1]} 已存在版本 ${m[2]}。`],
  [/^Bucket (.+) already exists\.$/, (m) => `桶 ${m[1]} 已存在。`],
  [/^A project named (.+) already exists\.$/, (m) => `名为 ${m[1]} 的项目已存在。`],
  [/^A user named (.+) already exists\.$/, (m) => `名为 ${m[1]} 的用户已存在。`],
  [/^Bucket (.+) is not empty\.$/, (m) => `桶 ${m[1]} 不为空。`],
  [/^obs:\/\/(.+) already exists\.$/, (m) => `obs://${m[1]} 已存在。`],
  [/^Delete the services deployed from this version first: (.+)\.$/, (m) => `请先删除由此版本部署的服务：${m[1]}。`],
  [/^Delete the services deployed from (.+) first: (.+)\.$/, (m) => `请先删除由 ${m[1]} 部署的服务：${m[2]}。`],
  [/^Wait until the import of version (.+) of (.+) finishes\.$/, (m) => `请等待 ${m[2]} 的版本 ${m[1]} 导入完成。`],
  [/^Wait until the import of version (.+) finishes\.$/, (m) => `请等待版本 ${m[1]} 导入完成。`],
  // A bulk deletion lists each application's reason: each sentence is translated on its own.
  [/^Nothing was deleted\. (.+)$/, (m) => `未删除任何应用。${m[1].split(/(?<=\.) (?=[A-Z])/).map((part) => serverMessageZh(part)).join('')}`],
  [/^The "model" folder must contain (.+)\.$/, (m) => `“model”文件夹必须包含 ${m[1]}。`],
  [/^(.+) must sit directly in the "model" folder\.$/, (m) => `${m[1]} 必须直接位于“model”文件夹下。`],
  [/^The "model" folder must contain exactly one (\S+); found (\d+): (.+)\.$/, (m) => `“model”文件夹只能包含一个 ${m[1]}，实际找到 ${m[2]} 个：${m[3]}。`],
  [/^A user can have at most (\d+) online services; delete one first\.$/, (m) => `每个用户最多 ${m[1]} 个在线服务，请先删除一个。`],
  [/^A (\w+) service cannot be (started|stopped|restarted); (?:start|stop|restart) is allowed when the service is (.+)\.$/, (m) => `${ZH_STATUS[m[1]] ?? m[1]}状态的服务不能${ZH_OPERATION[m[2]]}；${ZH_OPERATION[m[2]]}仅在服务为${m[3].split(', ').map((s) => ZH_STATUS[s] ?? s).join('、')}时可用。`],
  [/^The service is already being deleted\.$/, () => '服务正在删除中。'],
  [/^(Too many login attempts from this address|Too many failed logins for this user|Another login for this user is being checked); try again in (\d+) seconds?\.$/, (m) => `${ZH_LOGIN_LIMIT[m[1]]}，请在 ${m[2]} 秒后重试。`],
  [/^Failed to (stop|restart|delete) service (.+): (.+)$/, (m) => `${ZH_VERB[m[1]]}服务 ${m[2]} 失败：${m[3]}`],
  [/^A pool named (.+) already exists\.$/, (m) => `名为 ${m[1]} 的资源池已存在。`],
  [/^A node named (.+) already exists\.$/, (m) => `名为 ${m[1]} 的节点已存在。`],
  [/^That engine is already a node \((.+)\)\.$/, (m) => `该引擎已是节点（${m[1]}）。`],
  [/^The engine at (\S+) does not answer: (.+)$/, (m) => `${m[1]} 上的引擎无响应：${m[2]}`],
  [/^The engine does not answer: (.+)$/, (m) => `引擎无响应：${m[1]}`],
  [/^Pool (.+) still has nodes; remove them first\.$/, (m) => `资源池 ${m[1]} 仍有节点，请先移除。`],
  [/^Node (.+) runs (\d+) instance\(s\); stop or delete their services first\.$/, (m) => `节点 ${m[1]} 正在运行 ${m[2]} 个实例，请先停止或删除相应服务。`],
  [/^(.+) is not available: (.+)\.$/, (m) => `${m[1]} 不可用：${m[2]}。`],
  [/^(.+) does not exist\.$/, (m) => `${m[1]} 不存在。`],
];

/** The Chinese of a known server message, or the message itself. */
export function serverMessageZh(message: string): string {
  if (EXACT[message]) return EXACT[message];
  for (const [re, render] of PATTERNS) {
    const m = re.exec(message);
    if (m) return render(m);
  }
  return message;
}
