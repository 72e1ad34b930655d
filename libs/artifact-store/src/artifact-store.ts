import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Connection, Model } from 'mongoose';
import type { ArtifactMeta, ArtifactRecord } from '@watchkeeper/contracts';
import { artifactModel, type ArtifactDoc } from '@watchkeeper/dal/receiver';
import { isDuplicateKey } from '@watchkeeper/mongo';
import { NameConflict, ShaMismatch, TooLarge } from './errors';

export interface PutArtifact {
  host: string;
  name: string;
  /** X-Content-SHA256, already checked to be 64 lowercase hex. */
  sha256: string;
  body: Readable;
  /** Content-Length when the client sent one. */
  declaredLength?: number;
  codeCommit?: string;
  meta: ArtifactMeta;
}

export type PutResult = { status: 'stored' | 'already-present'; record: ArtifactRecord };

/**
 * Content-addressed artifacts: the bytes live once per SHA-256 under `objects/`, the name → hash
 * record in MongoDB. A body is streamed to a temporary file while it is hashed and counted, synced,
 * then renamed into place (atomic on one file system); a reader never sees a partial object.
 */
export class ArtifactStore {
  readonly model: Model<ArtifactDoc>;

  constructor(conn: Connection, private readonly opts: { dir: string; maxBytes: number }) {
    this.model = artifactModel(conn);
  }

  async init(): Promise<void> {
    await fs.mkdir(path.join(this.opts.dir, 'tmp'), { recursive: true });
    await fs.mkdir(path.join(this.opts.dir, 'objects'), { recursive: true });
  }

  objectPath(sha256: string): string {
    return path.join(this.opts.dir, 'objects', sha256.slice(0, 2), sha256);
  }

  async get(host: string, name: string): Promise<ArtifactRecord | undefined> {
    const doc = await this.model.findById(`${host}/${name}`).lean();
    return doc ? toRecord(doc) : undefined;
  }

  async list(host: string, limit = 1000): Promise<ArtifactRecord[]> {
    const docs = await this.model.find({ host }).sort({ storedAt: -1 }).limit(limit).lean();
    return docs.map(toRecord);
  }

  /**
   * Checks that need no body: the size the client declared, and a name already taken. Lets the caller
   * answer 413 / 200 / 409 without reading (or buffering) the upload.
   */
  async precheck(p: Pick<PutArtifact, 'host' | 'name' | 'sha256' | 'declaredLength'>): Promise<PutResult | undefined> {
    if (p.declaredLength !== undefined && p.declaredLength > this.opts.maxBytes) throw new TooLarge(this.opts.maxBytes);
    const existing = await this.get(p.host, p.name);
    if (!existing) return undefined;
    if (existing.sha256 === p.sha256) return { status: 'already-present', record: existing };
    throw new NameConflict(existing.sha256);
  }

  async put(p: PutArtifact): Promise<PutResult> {
    const early = await this.precheck(p);
    if (early) return early;
    const tmp = path.join(this.opts.dir, 'tmp', `${randomUUID()}.part`);
    const hash = createHash('sha256');
    let size = 0;
    const max = this.opts.maxBytes;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        size += chunk.length;
        if (size > max) return cb(new TooLarge(max));
        hash.update(chunk);
        cb(null, chunk);
      },
    });
    try {
      await pipeline(p.body, meter, createWriteStream(tmp, { flags: 'wx' }));
      const actual = hash.digest('hex');
      if (actual !== p.sha256) throw new ShaMismatch(p.sha256, actual);
      const fh = await fs.open(tmp, 'r+');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
      const target = this.objectPath(actual);
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.rename(tmp, target);
    } catch (err) {
      await fs.rm(tmp, { force: true });
      throw err;
    }
    const doc: ArtifactDoc = {
      _id: `${p.host}/${p.name}`,
      host: p.host,
      name: p.name,
      sha256: p.sha256,
      size,
      storedAt: new Date(),
      ...(p.codeCommit ? { codeCommit: p.codeCommit } : {}),
      ...(p.meta.kind ? { kind: p.meta.kind } : {}),
      ...(p.meta.encoding ? { encoding: p.meta.encoding } : {}),
    };
    try {
      await this.model.collection.insertOne(doc as never);
      return { status: 'stored', record: toRecord(doc) };
    } catch (err) {
      // A concurrent upload of the same name won the race: same bytes → already present, others → conflict.
      if (!isDuplicateKey(err)) throw err;
      const winner = await this.precheck(p);
      if (winner) return winner;
      throw err;
    }
  }
}

function toRecord(d: ArtifactDoc): ArtifactRecord {
  const meta: ArtifactMeta = {};
  if (d.kind) meta.kind = d.kind as ArtifactMeta['kind'];
  if (d.encoding) meta.encoding = d.encoding as ArtifactMeta['encoding'];
  return {
    host: d.host,
    name: d.name,
    sha256: d.sha256,
    size: d.size,
    storedAt: d.storedAt.toISOString(),
    ...(d.codeCommit ? { codeCommit: d.codeCommit } : {}),
    meta,
  };
}
