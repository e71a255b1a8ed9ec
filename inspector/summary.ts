// What the phone would show for a push: the decode JSON, the way a handset presents an SI or SL.
import type { PushJson } from '../src/codec/json.js';

export interface Summary {
  /** One line: the kind of push and where it goes. */
  title: string;
  /** Lines as a handset would show or act on them. */
  lines: string[];
}

export function summarize(json: PushJson): Summary {
  const body = json.body as unknown as Record<string, unknown>;
  const wsp = json.wsp;
  const to = `application ${wsp.applicationId}${json.wdp ? `, port ${String(json.wdp.destinationPort ?? '-')}` : ''}`;
  if (body.type === 'si') {
    const lines = [`"${String(body.text ?? '')}"`];
    if (body.href) lines.push(`link: ${String(body.href)}`);
    lines.push(`action: ${String(body.action)}${body.action === 'delete' ? ' (removes the SI with this si-id)' : ''}`);
    if (body.created) lines.push(`created: ${String(body.created)}`);
    if (body.expires) lines.push(`expires: ${String(body.expires)}`);
    return { title: `Service Indication to ${to}`, lines };
  }
  if (body.type === 'sl') {
    const how = body.action === 'cache' ? 'stored in the cache' : `loaded (${String(body.action)})`;
    return { title: `Service Loading to ${to}`, lines: [`${String(body.href)} is ${how}`] };
  }
  return { title: `${wsp.contentType} to ${to}`, lines: [`body: ${String(body.type)}`] };
}
