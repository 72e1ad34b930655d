#!/usr/bin/env node
// Generates the configuration reference and the topic table in docs/operations.md from the code:
// every app's zod config schema (apps/<app>/dist/config.js: `configSchema`, `usage`) and the topic
// registry (libs/contracts/dist: `Topics`). Run after `npx tsc -b`.
//   node tools/gen-config-docs.cjs           rewrite the generated sections in place
//   node tools/gen-config-docs.cjs --check   exit 1 when docs/operations.md is stale
// Also a module: libs/deploy-checks reads the same schema view to check compose and Kubernetes.
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const docPath = path.join(root, 'docs', 'operations.md');
// Secrets by name; MONGO_URL too, as it carries the database credentials in a deployment.
const SECRET_NAME = /(TOKEN|PASSWORD|SECRET|CREDENTIALS?|PRIVATE_KEY)(_FILE)?$|^MONGO_URL$/;
// Meanings of the variables the services share through libs/runtime's env fragments, used only when
// the app's schema (`.describe()`) and usage text say nothing about them.
const SHARED_MEANINGS = {
  HTTP_HOST: 'address the HTTP server (API, /healthz, /readyz, /metrics) binds to',
  KAFKA_BROKERS: 'comma-separated Kafka bootstrap brokers, host:port',
  LOG_LEVEL: 'minimum level of the JSON log lines on stdout',
  MONGO_URL: 'MongoDB connection string (mongodb:// or mongodb+srv://); may carry credentials',
  NETRC: '.netrc file with the XMPP account (machine = XMPP domain or server host) when XMPP_USERNAME/XMPP_PASSWORD are unset; default ~/.netrc',
};

function appNames() {
  const dir = path.join(root, 'apps');
  return fs
    .readdirSync(dir)
    .filter((d) => fs.existsSync(path.join(dir, d, 'src', 'config.ts')))
    .sort();
}

/** The built config module of an app; fails clearly when it is missing or older than its source. */
function loadConfigModule(app) {
  const src = path.join(root, 'apps', app, 'src', 'config.ts');
  const built = path.join(root, 'apps', app, 'dist', 'config.js');
  if (!fs.existsSync(built)) throw new Error(`${path.relative(root, built)} is missing: run npx tsc -b`);
  if (fs.statSync(built).mtimeMs + 1000 < fs.statSync(src).mtimeMs) {
    throw new Error(`${path.relative(root, built)} is older than its source: run npx tsc -b`);
  }
  const mod = require(built);
  if (!mod.configSchema || !mod.configSchema.shape) throw new Error(`${path.relative(root, built)} exports no zod object configSchema`);
  return mod;
}

/** `  NAME   meaning (default x)` lines of an app's usage text, as NAME → meaning. */
function usageDescriptions(usage) {
  const out = new Map();
  let last;
  for (const line of String(usage || '').split('\n')) {
    // `  NAME  meaning` or `  NAME_A, NAME_B  meaning of both`
    const m = /^(\s+)([A-Z][A-Z0-9_]*(?:,\s*[A-Z][A-Z0-9_]*)*)\s{2,}(\S.*)$/.exec(line);
    if (m) {
      last = { names: m[2].split(/,\s*/), indent: m[1].length };
      for (const n of last.names) out.set(n, m[3].trim());
    } else if (last && /^\s+\S/.test(line) && line.length - line.trimStart().length > last.indent + 2) {
      for (const n of last.names) out.set(n, `${out.get(n)} ${line.trim()}`); // a continuation line of the meaning
    } else {
      last = undefined;
    }
  }
  // the default has its own column: drop "(default x)" and the "default x; " part of "(default x; more)"
  for (const [k, v] of out) out.set(k, v.replace(/\(default [^;)]*;\s*/g, '(').replace(/\s*\(default[^)]*\)/g, '').trim());
  return out;
}

/**
 * One app's variables: name, JSON-Schema type, default (as the string to set), required, allowed
 * values, meaning (zod `.describe()`/`.meta({description})` first, else the app's usage text), secret.
 */
function appConfig(app) {
  const { configSchema, usage } = loadConfigModule(app);
  const { z } = require(require.resolve('zod', { paths: [path.join(root, 'apps', app)] }));
  const json = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' });
  const fromUsage = usageDescriptions(usage);
  const required = new Set(json.required || []);
  const vars = Object.keys(configSchema.shape).map((name) => {
    const p = (json.properties || {})[name] || {};
    const usageText = (fromUsage.get(name) || '').replace(/^default\b.*/i, ''); // a bare default is no meaning
    const description = p.description || usageText || SHARED_MEANINGS[name] || '';
    const values = p.enum || (p.anyOf || []).flatMap((a) => a.enum || (a.const !== undefined ? [a.const] : []));
    return {
      name,
      type: p.type || (values.length ? 'string' : 'string'),
      default: p.default === undefined ? undefined : String(p.default),
      required: required.has(name) && p.default === undefined,
      values: values.length ? values.map(String) : undefined,
      description,
      secret: SECRET_NAME.test(name),
    };
  });
  return { app, vars };
}

function loadAppConfigs() {
  return appNames().map(appConfig);
}

function loadTopics() {
  const built = path.join(root, 'libs', 'contracts', 'dist', 'index.js');
  if (!fs.existsSync(built)) throw new Error('libs/contracts/dist is missing: run npx tsc -b');
  const { unprefixedTopics } = require(built); // the documented names, whatever WATCHKEEPER_TOPIC_PREFIX is here
  return Object.entries(unprefixedTopics).map(([id, t]) => ({
    id,
    name: t.name,
    partitions: t.partitions,
    keyDoc: t.keyDoc,
    ceType: t.ceType,
    description: t.description,
  }));
}

const cell = (s) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');

function renderConfigReference(configs) {
  const out = [
    'Every variable each service reads (through `loadConfig` in `apps/<app>/src/config.ts`). An empty',
    'value counts as unset. **required** means there is no default: the service exits with code 78 and',
    'names the variable when it is missing. Variables marked 🔒 are secrets: give them through a',
    'Secret / the compose env file, never a ConfigMap or a committed file.',
    '',
  ];
  for (const { app, vars } of configs) {
    out.push(`### ${app}`, '', '| Variable | Default | Meaning |', '| --- | --- | --- |');
    for (const v of vars) {
      const def = v.required ? '**required**' : v.default === undefined ? '(unset)' : v.default === '' ? '(empty)' : `\`${cell(v.default)}\``;
      const values = v.values ? ` One of: ${v.values.map((x) => `\`${x}\``).join(', ')}.` : '';
      const meaning = (v.description || '_undocumented: describe it in the app\'s config schema_') + values;
      out.push(`| \`${v.name}\`${v.secret ? ' 🔒' : ''} | ${def} | ${cell(meaning)} |`);
    }
    out.push('');
  }
  out.push(
    '### Secrets per service',
    '',
    'In Kubernetes each workload reads the Secret `watchkeeper-<app>` through `envFrom` (deploy/k8s);',
    'with docker compose the values come from `docker/.env`. The keys:',
    '',
    '| Service | Secret keys |',
    '| --- | --- |',
  );
  for (const { app, vars } of configs) {
    const keys = vars.filter((v) => v.secret).map((v) => `\`${v.name}\`${v.required ? ' (required)' : ''}`);
    out.push(`| ${app} | ${keys.join(', ') || '—'} |`);
  }
  out.push('');
  return out.join('\n');
}

function renderTopics(topics) {
  const out = ['| Topic | Partitions | Key (what stays in order) | CloudEvents type | Carries |', '| --- | --- | --- | --- | --- |'];
  for (const t of topics) {
    out.push(`| \`${t.name}\` | ${t.partitions} | ${cell(t.keyDoc)} | \`${t.ceType}\` | ${cell(t.description)} |`);
  }
  return out.join('\n') + '\n';
}

function replaceSection(text, name, body) {
  const begin = `<!-- BEGIN GENERATED: ${name} (node tools/gen-config-docs.cjs) -->`;
  const end = `<!-- END GENERATED: ${name} -->`;
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  if (i < 0 || j < i) throw new Error(`docs/operations.md has no "${begin}" … "${end}" markers`);
  return text.slice(0, i + begin.length) + '\n' + body.trimEnd() + '\n' + text.slice(j);
}

/** The document as it should be, given its current text. */
function renderDoc(text) {
  let next = replaceSection(text, 'config-reference', renderConfigReference(loadAppConfigs()));
  next = replaceSection(next, 'topics', renderTopics(loadTopics()));
  return next;
}

module.exports = { loadAppConfigs, loadTopics, renderConfigReference, renderTopics, renderDoc, usageDescriptions, docPath };

if (require.main === module) {
  const current = fs.readFileSync(docPath, 'utf8');
  const next = renderDoc(current);
  if (process.argv.includes('--check')) {
    if (next !== current) {
      console.error('docs/operations.md is stale: run `npx tsc -b && node tools/gen-config-docs.cjs`');
      process.exit(1);
    }
    console.log('docs/operations.md is current');
  } else if (next !== current) {
    fs.writeFileSync(docPath, next);
    console.log('docs/operations.md updated');
  } else {
    console.log('docs/operations.md already current');
  }
}
