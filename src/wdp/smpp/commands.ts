/**
 * SMPP v3.4 command_id values (5.1.2.1) and what the ESME link does with each request an SMSC
 * sends it. A response's command_id is its request's with bit 31 set.
 */
export const SmppCommand = Object.freeze({
  generic_nack: 0x80000000,
  bind_receiver: 0x00000001,
  bind_transmitter: 0x00000002,
  query_sm: 0x00000003,
  submit_sm: 0x00000004,
  deliver_sm: 0x00000005,
  unbind: 0x00000006,
  replace_sm: 0x00000007,
  cancel_sm: 0x00000008,
  bind_transceiver: 0x00000009,
  outbind: 0x0000000b,
  enquire_link: 0x00000015,
  submit_multi: 0x00000021,
  alert_notification: 0x00000102,
  data_sm: 0x00000103,
} as const);

export const RESPONSE_BIT = 0x80000000;

/** The response command_id of a request. */
export const responseId = (commandId: number): number => (commandId | RESPONSE_BIT) >>> 0;

/**
 * What a bound receiver or transceiver does with a request from the SMSC:
 * - 'deliver': hand it up, answer deliver_sm_resp once it is taken (link.ts);
 * - 'enquire_link_resp', 'unbind_resp': answer at once (4.11, 4.2), header only, ESME_ROK;
 * - 'no-response': alert_notification is the one request SMPP answers with nothing (2.1, 4.12);
 *   outbind asks an ESME to bind (4.1.7) and has no response; the link is bound already.
 * Any other command_id, be it unknown, a response to nothing, or a request only an ESME sends
 * (submit_sm, query_sm, bind_*, ...), gets generic_nack with ESME_RINVCMDID (4.3: "unknown or
 * invalid command_id"). data_sm is among them: this link takes WDP by deliver_sm only.
 */
export type InboundAction = 'deliver' | 'enquire_link_resp' | 'unbind_resp' | 'no-response';

export const ESME_INBOUND: ReadonlyMap<number, InboundAction> = new Map<number, InboundAction>([
  [SmppCommand.deliver_sm, 'deliver'],
  [SmppCommand.enquire_link, 'enquire_link_resp'],
  [SmppCommand.unbind, 'unbind_resp'],
  [SmppCommand.alert_notification, 'no-response'],
  [SmppCommand.outbind, 'no-response'],
]);

/** Requests that are a header and nothing else (4.2, 4.11): any other command_length is invalid. */
export const HEADER_ONLY: ReadonlySet<number> = new Set([SmppCommand.enquire_link, SmppCommand.unbind]);
