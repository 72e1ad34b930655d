import { randomUUID } from 'node:crypto';

/**
 * CloudEvents 1.0 Kafka protocol binding, binary content mode: attributes travel as `ce_*` headers,
 * the value is the event data as JSON. Any Kafka tool (kcat, Connect, other languages) can read it.
 */
export interface CloudEventAttributes {
  id: string;
  source: string;
  type: string;
  time: string;
  specversion: '1.0';
  datacontenttype: 'application/json';
  subject?: string;
}

export type KafkaHeaders = Record<string, string>;

export function cloudEventHeaders(attrs: {
  type: string;
  source: string;
  id?: string;
  time?: Date | string;
  subject?: string;
}): KafkaHeaders {
  const time = attrs.time instanceof Date ? attrs.time.toISOString() : (attrs.time ?? new Date().toISOString());
  const headers: KafkaHeaders = {
    ce_specversion: '1.0',
    ce_id: attrs.id ?? randomUUID(),
    ce_source: attrs.source,
    ce_type: attrs.type,
    ce_time: time,
    'content-type': 'application/json',
  };
  if (attrs.subject) headers.ce_subject = attrs.subject;
  return headers;
}

/** Reads the attributes back; throws naming the first required header that is missing. */
export function parseCloudEventHeaders(headers: Record<string, string | undefined>): CloudEventAttributes {
  const need = (name: string): string => {
    const v = headers[name];
    if (!v) throw new Error(`missing CloudEvents header ${name}`);
    return v;
  };
  const specversion = need('ce_specversion');
  if (specversion !== '1.0') throw new Error(`unsupported ce_specversion ${specversion}`);
  return {
    id: need('ce_id'),
    source: need('ce_source'),
    type: need('ce_type'),
    time: need('ce_time'),
    specversion: '1.0',
    datacontenttype: 'application/json',
    subject: headers.ce_subject,
  };
}
