import { z } from 'zod';
import { HostName, IsoDateTime } from '../common';
import { HostHealthSnapshot } from '../messages/host-health';

export const HostHealthStored = z.object({ host: HostName, receivedAt: IsoDateTime });
export type HostHealthStored = z.infer<typeof HostHealthStored>;

export const HostHealthList = z.object({ hosts: z.array(HostHealthSnapshot) });
export type HostHealthList = z.infer<typeof HostHealthList>;
