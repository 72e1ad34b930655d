import type { ResolvedRecipient } from '@watchkeeper/alert-routing';
import type { EventProducer } from '@watchkeeper/kafka';
import type { Sender } from '@watchkeeper/delivery-queue';
import { createLogger, type Logger } from '@watchkeeper/runtime';
import { StdoutSender, SyslogSender } from './console';
import { EmailSender } from './email';
import { KafkaSender } from './kafka';
import { WebhookSender } from './webhook';
import { XmppPubsubSender } from './xmpp';

/** Builds the plugin for a configured recipient. */
export function createSender(r: ResolvedRecipient, deps: { producer: EventProducer; stdout?: NodeJS.WritableStream; logger?: Logger }): Sender {
  const c = r.config;
  switch (c.type) {
    case 'webhook':
      return new WebhookSender(r.name, c);
    case 'email':
      return new EmailSender(r.name, c);
    case 'xmpp':
      return new XmppPubsubSender(r.name, c, deps.logger ?? createLogger({ service: 'recipients', level: 'silent' }));
    case 'kafka':
      return new KafkaSender(r.name, deps.producer);
    case 'stdout':
      return new StdoutSender(r.name, deps.stdout);
    case 'syslog':
      return new SyslogSender(r.name, c);
  }
}
