// PAP requests as initiators write them (element names from WAP-247-PAP 9; the layout that of
// Kannel's test/test_ppg examples, written here in our own words).
export const BOUNDARY = 'asdlfkjiurwghasf';

export interface PushInit {
  pushId?: string;
  addresses?: string[];
  attributes?: string;
  qos?: string;
  contentType?: string;
  contentHeaders?: string;
  content?: string | Buffer;
  eol?: string;
}

export const SI_XML =
  '<?xml version="1.0"?>\n<!DOCTYPE si PUBLIC "-//WAPFORUM//DTD SI 1.0//EN" "http://www.wapforum.org/DTD/si.dtd">\n' +
  '<si><indication href="http://www.example.com/mail/1" si-id="mail-1" action="signal-high">You have mail</indication></si>\n';

export function controlXml(init: PushInit = {}): string {
  const addresses = (init.addresses ?? ['WAPPUSH=+15551234567/TYPE=PLMN@ppg.example.com'])
    .map((a) => `<address address-value="${a}"/>`)
    .join('');
  return (
    '<?xml version="1.0"?>\n<!DOCTYPE pap PUBLIC "-//WAPFORUM//DTD PAP 2.0//EN" "http://www.wapforum.org/DTD/pap_2.0.dtd">\n' +
    `<pap><push-message push-id="${init.pushId ?? 'push-1@example.com'}"${init.attributes ?? ''}>${addresses}` +
    `${init.qos ?? '<quality-of-service delivery-method="unconfirmed" bearer="SMS"/>'}</push-message></pap>\n`
  );
}

export function pushBody(init: PushInit = {}): Buffer {
  const eol = init.eol ?? '\r\n';
  const content = init.content ?? SI_XML;
  return Buffer.concat([
    Buffer.from(
      `--${BOUNDARY}${eol}Content-Type: application/xml${eol}${eol}${controlXml(init)}${eol}--${BOUNDARY}${eol}` +
        `Content-Type: ${init.contentType ?? 'text/vnd.wap.si'}${eol}${init.contentHeaders ?? 'X-Wap-Application-Id: x-wap-application:wml.ua' + eol}${eol}`,
      'utf8',
    ),
    typeof content === 'string' ? Buffer.from(content, 'utf8') : content,
    Buffer.from(`${eol}--${BOUNDARY}--${eol}`, 'utf8'),
  ]);
}

export const MULTIPART = `multipart/related; boundary=${BOUNDARY}; type="application/xml"`;

export function queryXml(kind: 'statusquery-message' | 'cancel-message', pushId: string, address?: string): string {
  return (
    '<?xml version="1.0"?>\n<!DOCTYPE pap PUBLIC "-//WAPFORUM//DTD PAP 2.0//EN" "http://www.wapforum.org/DTD/pap_2.0.dtd">\n' +
    `<pap><${kind} push-id="${pushId}">${address ? `<address address-value="${address}"/>` : ''}</${kind}></pap>\n`
  );
}
