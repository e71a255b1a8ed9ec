/**
 * SMPP optional parameters (TLVs). Tags from SMPP v3.4 (issue 1.2) section 5.3.2, "TLV Tag"
 * table; the names are the specification's.
 */
export const TlvTag = Object.freeze({
  dest_addr_subunit: 0x0005,
  source_addr_subunit: 0x000d,
  payload_type: 0x0019,
  receipted_message_id: 0x001e,
  user_message_reference: 0x0204,
  source_port: 0x020a,
  destination_port: 0x020b,
  sar_msg_ref_num: 0x020c,
  sar_total_segments: 0x020e,
  sar_segment_seqnum: 0x020f,
  message_payload: 0x0424,
  more_messages_to_send: 0x0426,
  message_state: 0x0427,
} as const);

/** Every tag of the SMPP v3.4 table, for display. Source: SMPP v3.4 5.3.2. */
export const TLV_NAMES: ReadonlyMap<number, string> = new Map([
  [0x0005, 'dest_addr_subunit'],
  [0x0006, 'dest_network_type'],
  [0x0007, 'dest_bearer_type'],
  [0x0008, 'dest_telematics_id'],
  [0x000d, 'source_addr_subunit'],
  [0x000e, 'source_network_type'],
  [0x000f, 'source_bearer_type'],
  [0x0010, 'source_telematics_id'],
  [0x0017, 'qos_time_to_live'],
  [0x0019, 'payload_type'],
  [0x001d, 'additional_status_info_text'],
  [0x001e, 'receipted_message_id'],
  [0x0030, 'ms_msg_wait_facilities'],
  [0x0201, 'privacy_indicator'],
  [0x0202, 'source_subaddress'],
  [0x0203, 'dest_subaddress'],
  [0x0204, 'user_message_reference'],
  [0x0205, 'user_response_code'],
  [0x020a, 'source_port'],
  [0x020b, 'destination_port'],
  [0x020c, 'sar_msg_ref_num'],
  [0x020d, 'language_indicator'],
  [0x020e, 'sar_total_segments'],
  [0x020f, 'sar_segment_seqnum'],
  [0x0210, 'sc_interface_version'],
  [0x0302, 'callback_num_pres_ind'],
  [0x0303, 'callback_num_atag'],
  [0x0304, 'number_of_messages'],
  [0x0381, 'callback_num'],
  [0x0420, 'dpf_result'],
  [0x0421, 'set_dpf'],
  [0x0422, 'ms_availability_status'],
  [0x0423, 'network_error_code'],
  [0x0424, 'message_payload'],
  [0x0425, 'delivery_failure_reason'],
  [0x0426, 'more_messages_to_send'],
  [0x0427, 'message_state'],
  [0x0501, 'ussd_service_op'],
  [0x1201, 'display_time'],
  [0x1203, 'sms_signal'],
  [0x1204, 'ms_validity'],
  [0x130c, 'alert_on_message_delivery'],
  [0x1380, 'its_reply_type'],
  [0x1383, 'its_session_info'],
]);

/** One optional parameter; `value` is a view of the PDU, `offset` where its tag starts. */
export interface Tlv {
  tag: number;
  value: Uint8Array;
  offset?: number;
}
