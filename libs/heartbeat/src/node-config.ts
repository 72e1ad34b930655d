import { HeartbeatNodeConfig, type PublishModel } from '@watchkeeper/contracts';
import type { NodeSettings } from './monitor';

/**
 * Per-node configuration, as lvalertHeartbeat's config.ini had one section per node: each node may have
 * its own interval, timeout and expected listeners, and the pubsub publish model that lets seed-era
 * listeners publish their answers. Written as JSON (`{"node": {...}}`, the contract
 * HeartbeatNodeConfig) or as the seed's INI.
 */
type NodeConfig = HeartbeatNodeConfig;
type NodeConfigEntry = HeartbeatNodeConfig[string];

/** JSON (first character `{`) or the seed's INI; throws with every problem named. */
export function parseNodeConfig(text: string, source: string): NodeConfig {
  const raw = text.trimStart().startsWith('{') ? parseJsonObject(text, source) : iniToNodeConfig(text, source);
  const r = HeartbeatNodeConfig.safeParse(raw);
  if (!r.success) throw new Error(`${source}: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  return r.data;
}

function parseJsonObject(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${source}: not JSON: ${(err as Error).message}`);
  }
}

const SECONDS_KEYS: Record<string, keyof NodeConfigEntry> = { interval: 'intervalMs', timeout: 'timeoutMs', retry: 'retryMs', late: 'lateMs' };

/**
 * The seed's config.ini: `[node]` sections; `timeout` (and here `interval`, `retry`, `late`) in seconds;
 * `responses` one listener per line, `name user hostname` as the seed wrote them (or `name@host`);
 * `publish_model`; `server` checked against ours; the seed's `netrc` and `wait` have no use here.
 */
function iniToNodeConfig(text: string, source: string): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  let section: Record<string, unknown> | null = null;
  let lastKey: string | null = null;
  const values = new Map<Record<string, unknown>, Map<string, string[]>>();
  text.split(/\r?\n/).forEach((line, i) => {
    const where = `${source} line ${i + 1}`;
    if (/^\s*([#;].*)?$/.test(line)) return;
    const header = /^\[([^\]]+)\]\s*$/.exec(line);
    if (header) {
      section = out[header[1].trim()] = {};
      values.set(section, new Map());
      lastKey = null;
      return;
    }
    if (!section) throw new Error(`${where}: a setting before the first [node] section`);
    const own = values.get(section)!;
    if (/^\s/.test(line) && lastKey) {
      own.get(lastKey)!.push(line.trim()); // continuation line (ConfigParser style)
      return;
    }
    const kv = /^([A-Za-z_][\w-]*)\s*[=:]\s*(.*)$/.exec(line);
    if (!kv) throw new Error(`${where}: expected key = value`);
    lastKey = kv[1].toLowerCase();
    own.set(lastKey, [kv[2].trim()]);
  });
  for (const [sec, own] of values) {
    for (const [key, lines] of own) {
      const value = lines.filter(Boolean).join('\n');
      if (key in SECONDS_KEYS) {
        const s = Number(value);
        sec[SECONDS_KEYS[key]] = Number.isFinite(s) ? Math.round(s * 1000) : value;
      } else if (key === 'responses' || key === 'expected') {
        sec.expected = [...((sec.expected as string[]) ?? []), ...value.split(/[\n,]/).map((l) => l.trim()).filter(Boolean).map(seedResponseToId)];
      } else if (key === 'publish_model') sec.publishModel = value;
      else if (key === 'server') sec.server = value;
      else if (key !== 'netrc' && key !== 'wait') sec[key] = value; // unknown: the strict schema names it
    }
  }
  return out;
}

/** `name user hostname` (the seed's expected response line) or `name@host` → listener id name@host. */
function seedResponseToId(line: string): string {
  const words = line.split(/\s+/);
  return words.length === 3 ? `${words[0]}@${words[2]}` : line;
}

/** What the monitor needs from the env defaults plus a per-node config. */
export interface NodePlan {
  nodes: string[];
  expected: Record<string, string[]>;
  perNode: Record<string, NodeSettings>;
  publishModel: Record<string, PublishModel>;
}

/**
 * Merges the single-node settings (HEARTBEAT_NODES, HEARTBEAT_EXPECTED…: the default node(s)) with a
 * per-node config: nodes are the env's (when given, or when there is no per-node config) followed by
 * the config's; expected listeners are the union.
 */
export function nodePlan(a: {
  envNodes: string[] | undefined;
  /** HEARTBEAT_EXPECTED entries: name@host (the first node) or node:name@host. */
  envExpected: string[];
  config: NodeConfig;
  defaultNode: string;
  defaultPublishModel?: PublishModel;
  domain?: string;
}): NodePlan {
  const configured = Object.keys(a.config);
  const base = a.envNodes ?? (configured.length ? [] : [a.defaultNode]);
  const nodes = [...new Set([...base, ...configured])];
  const plan: NodePlan = { nodes, expected: {}, perNode: {}, publishModel: {} };
  const envExpected = expectedByNode(nodes, a.envExpected);
  for (const node of nodes) {
    const c = a.config[node];
    if (c?.server && a.domain && c.server !== a.domain) {
      throw new Error(`node ${node} names server ${c.server}, but this heartbeat-server logs in to ${a.domain} (run one per XMPP server)`);
    }
    plan.expected[node] = [...new Set([...(envExpected[node] ?? []), ...(c?.expected ?? [])])];
    if (c) plan.perNode[node] = { intervalMs: c.intervalMs, timeoutMs: c.timeoutMs, retryEveryMs: c.retryMs, lateAfterMs: c.lateMs };
    const model = c?.publishModel ?? a.defaultPublishModel;
    if (model) plan.publishModel[node] = model;
  }
  return plan;
}

/** HEARTBEAT_EXPECTED entries → node → listener ids (an entry without "node:" belongs to the first node). */
export function expectedByNode(nodes: string[], entries: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = Object.fromEntries(nodes.map((n) => [n, []]));
  for (const e of entries) {
    const i = e.indexOf(':');
    const node = i > 0 ? e.slice(0, i) : nodes[0];
    const id = i > 0 ? e.slice(i + 1) : e;
    (out[node] ??= []).push(id);
  }
  return out;
}
