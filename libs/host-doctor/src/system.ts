import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { promisify } from 'node:util';
import type { MountUsage } from './checks';

const run = promisify(execFile);

/** Filesystems that hold data; pseudo, read-only image and container layers are not checked. */
const SKIP_FS = new Set(['squashfs', 'iso9660', 'udf', 'overlay', 'tmpfs', 'devtmpfs', 'ramfs', 'autofs', 'fuse.snapfuse']);
const NETWORK_FS = new Set(['nfs', 'nfs4', 'cifs', 'smb3', 'zfs', 'fuse.sshfs', 'ceph', 'glusterfs']);

/** Pure: the mount points of `/proc/mounts` worth a disk check, one per device (bind mounts skipped). */
export function dataMounts(procMounts: string): Array<{ mount: string; fsType: string }> {
  const seen = new Set<string>();
  const out: Array<{ mount: string; fsType: string }> = [];
  for (const line of procMounts.split('\n')) {
    const [device, rawMount, fsType] = line.split(' ');
    if (!device || !rawMount || !fsType || SKIP_FS.has(fsType)) continue;
    if (!device.startsWith('/') && !NETWORK_FS.has(fsType)) continue;
    const mount = rawMount.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    if (/^\/(proc|sys|dev|run\/snapd|snap)(\/|$)/.test(mount) || seen.has(device)) continue;
    seen.add(device);
    out.push({ mount, fsType });
  }
  return out;
}

/** Usage of the given mount points, or of every data mount; a mount that cannot be read is left out. */
export async function mountUsage(only?: string[]): Promise<MountUsage[]> {
  let mounts: Array<{ mount: string; fsType: string }>;
  if (only?.length) mounts = only.map((mount) => ({ mount, fsType: 'configured' }));
  else {
    try {
      mounts = dataMounts(await fs.promises.readFile('/proc/mounts', 'utf8'));
    } catch {
      mounts = [{ mount: '/', fsType: 'unknown' }];
    }
  }
  const out: MountUsage[] = [];
  for (const m of mounts) {
    try {
      const s = await fs.promises.statfs(m.mount);
      out.push({ mount: m.mount, fsType: m.fsType, totalBytes: s.blocks * s.bsize, availableBytes: s.bavail * s.bsize, freeBytes: s.bfree * s.bsize });
    } catch {
      /* gone or not ours to read: not reported */
    }
  }
  return out;
}

/** Pure: MemTotal and MemAvailable of `/proc/meminfo`, in bytes. */
export function parseMeminfo(text: string): { totalBytes: number; availableBytes: number } | undefined {
  const kb = (key: string) => {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : undefined;
  };
  const total = kb('MemTotal');
  const available = kb('MemAvailable');
  return total !== undefined && available !== undefined ? { totalBytes: total, availableBytes: available } : undefined;
}

export async function memoryUsage(): Promise<{ totalBytes: number; availableBytes: number }> {
  try {
    const parsed = parseMeminfo(await fs.promises.readFile('/proc/meminfo', 'utf8'));
    if (parsed) return parsed;
  } catch {
    /* not Linux: the OS's own figures */
  }
  return { totalBytes: os.totalmem(), availableBytes: os.freemem() };
}

export function loadAverage(): { one: number; five: number; fifteen: number; cpus: number } {
  const [one, five, fifteen] = os.loadavg();
  return { one: one!, five: five!, fifteen: fifteen!, cpus: os.availableParallelism() };
}

/** Failed systemd units; null where systemd is not the init system (containers, other systems). */
export async function failedUnits(systemctl = 'systemctl'): Promise<string[] | null | Error> {
  if (!fs.existsSync('/run/systemd/system')) return null;
  try {
    const { stdout } = await run(systemctl, ['list-units', '--state=failed', '--no-legend', '--plain', '--no-pager'], { timeout: 10_000 });
    return stdout
      .split('\n')
      .map((l) => l.trim().split(/\s+/)[0])
      .filter((u): u is string => !!u);
  } catch (err) {
    return err as Error;
  }
}

export const uptimeMs = (): number => os.uptime() * 1000;
