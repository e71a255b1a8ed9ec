/** command_status values used here; SMPP v3.4 5.1.3 table. */
export const CommandStatus = Object.freeze({
  ESME_ROK: 0x0000,
  ESME_RINVMSGLEN: 0x0001, // message length is invalid
  ESME_RINVCMDLEN: 0x0002, // command length is invalid
  ESME_RINVCMDID: 0x0003, // invalid command ID
  ESME_RINVBNDSTS: 0x0004, // incorrect BIND status for given command
  ESME_RSYSERR: 0x0008, // system error
  ESME_RBINDFAIL: 0x000d, // bind failed
  ESME_RINVPASWD: 0x000e, // invalid password
  ESME_RINVSYSID: 0x000f, // invalid system ID
  ESME_RMSGQFUL: 0x0014, // message queue full
  ESME_RTHROTTLED: 0x0058, // throttling error (ESME has exceeded allowed message limits)
  ESME_RX_T_APPN: 0x0064, // ESME receiver temporary app error code
  ESME_RX_P_APPN: 0x0065, // ESME receiver permanent app error code
} as const);

/** Statuses after which a sender should try again later (SMPP v3.4 5.1.3). */
export function isTemporary(status: number): boolean {
  return (
    status === CommandStatus.ESME_RMSGQFUL ||
    status === CommandStatus.ESME_RTHROTTLED ||
    status === CommandStatus.ESME_RX_T_APPN ||
    status === CommandStatus.ESME_RSYSERR
  );
}
