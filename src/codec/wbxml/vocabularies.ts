import { vocabulary } from './vocabulary.js';

/** URL value tokens shared by SI, SL and CO (WAP-167 8.3.3, WAP-168 9.3.3, WAP-175 8.3.3). */
const URL_VALUES = [
  [0, 0x85, '.com/'],
  [0, 0x86, '.edu/'],
  [0, 0x87, '.net/'],
  [0, 0x88, '.org/'],
] as const;

/**
 * Service Indication. Source: WAP-167-ServiceInd-20010731-a section 8.3 (tag tokens 8.3.1,
 * attribute start tokens 8.3.2, attribute value tokens 8.3.3); public id 0x05.
 */
export const SI = vocabulary({
  name: 'si',
  publicId: 0x05,
  publicIdText: '-//WAPFORUM//DTD SI 1.0//EN',
  tags: [
    [0, 0x05, 'si'],
    [0, 0x06, 'indication'],
    [0, 0x07, 'info'],
    [0, 0x08, 'item'],
  ],
  attributeStarts: [
    [0, 0x05, 'action', 'signal-none'],
    [0, 0x06, 'action', 'signal-low'],
    [0, 0x07, 'action', 'signal-medium'],
    [0, 0x08, 'action', 'signal-high'],
    [0, 0x09, 'action', 'delete'],
    [0, 0x0a, 'created', ''],
    [0, 0x0b, 'href', ''],
    [0, 0x0c, 'href', 'http://'],
    [0, 0x0d, 'href', 'http://www.'],
    [0, 0x0e, 'href', 'https://'],
    [0, 0x0f, 'href', 'https://www.'],
    [0, 0x10, 'si-expires', ''],
    [0, 0x11, 'si-id', ''],
    [0, 0x12, 'class', ''],
  ],
  attributeValues: URL_VALUES,
});

/** Service Loading. Source: WAP-168-ServiceLoad-20010731-a section 9.3; public id 0x06. */
export const SL = vocabulary({
  name: 'sl',
  publicId: 0x06,
  publicIdText: '-//WAPFORUM//DTD SL 1.0//EN',
  tags: [[0, 0x05, 'sl']],
  attributeStarts: [
    [0, 0x05, 'action', 'execute-low'],
    [0, 0x06, 'action', 'execute-high'],
    [0, 0x07, 'action', 'cache'],
    [0, 0x08, 'href', ''],
    [0, 0x09, 'href', 'http://'],
    [0, 0x0a, 'href', 'http://www.'],
    [0, 0x0b, 'href', 'https://'],
    [0, 0x0c, 'href', 'https://www.'],
  ],
  attributeValues: URL_VALUES,
});

/** Cache Operation. Source: WAP-175-CacheOp-20010731-a section 8.3; public id 0x07. */
export const CO = vocabulary({
  name: 'co',
  publicId: 0x07,
  publicIdText: '-//WAPFORUM//DTD CO 1.0//EN',
  tags: [
    [0, 0x05, 'co'],
    [0, 0x06, 'invalidate-object'],
    [0, 0x07, 'invalidate-service'],
  ],
  attributeStarts: [
    [0, 0x05, 'uri', ''],
    [0, 0x06, 'uri', 'http://'],
    [0, 0x07, 'uri', 'http://www.'],
    [0, 0x08, 'uri', 'https://'],
    [0, 0x09, 'uri', 'https://www.'],
  ],
  attributeValues: URL_VALUES,
});

/**
 * E-mail Notification (application/vnd.wap.emn+wbxml), public id 0x0D
 * "-//OMA//DTD EMN 1.0//EN". Source: OMA-Push-EMN-V1_0 section 9 token tables, as also
 * tabulated in libwbxml's wbxml_tables.c (EMN 1.0). The timestamp is an OPAQUE date like SI's.
 */
export const EMN = vocabulary({
  name: 'emn',
  publicId: 0x0d,
  publicIdText: '-//OMA//DTD EMN 1.0//EN',
  tags: [[0, 0x05, 'emn']],
  attributeStarts: [
    [0, 0x05, 'timestamp', ''],
    [0, 0x06, 'mailbox', ''],
    [0, 0x07, 'mailbox', 'mailat:'],
    [0, 0x08, 'mailbox', 'pop://'],
    [0, 0x09, 'mailbox', 'imap://'],
    [0, 0x0a, 'mailbox', 'http://'],
    [0, 0x0b, 'mailbox', 'http://www.'],
    [0, 0x0c, 'mailbox', 'https://'],
    [0, 0x0d, 'mailbox', 'https://www.'],
  ],
  attributeValues: [
    [0, 0x85, '.com'],
    [0, 0x86, '.edu'],
    [0, 0x87, '.net'],
    [0, 0x88, '.org'],
  ],
});
