// Public API of wappush. Layers: codec (pure byte codecs), wdp (SMS bearer), smsc (simulator), cai (Push Client).
import './nodeHost.js';
export { DecodeError, EncodeError, type DecodeErrorCode, type EncodeErrorCode } from './codec/errors.js';
export { WarningCode, type DecodeWarning, type Warned } from './codec/warnings.js';
export { DEFAULT_LIMITS, type Limits } from './codec/limits.js';
export { ByteReader } from './codec/reader.js';
export { ByteWriter } from './codec/writer.js';
export { toHex, fromHex } from './codec/hex.js';
export { charsetByMib, charsetByName, type Charset } from './codec/charset/mibenum.js';
export {
  decodePushPdu,
  decodePushRouting,
  encodePushPdu,
  PduType,
  type PushMessage,
  type PushRouting,
  type PushPduInit,
  type PushPduType,
} from './codec/wsp/pushPdu.js';
export { readHeaders, writeHeaders, type WspHeader } from './codec/wsp/headers.js';
export { readContentType, writeContentType, type ContentType } from './codec/wsp/contentType.js';
export type { Parameters, ParameterValue } from './codec/wsp/parameters.js';
export { contentTypes } from './codec/wsp/contentTypes.js';
export { applicationIds, DEFAULT_APPLICATION_ID } from './codec/wsp/applicationIds.js';
export { headerFields } from './codec/wsp/headerFields.js';
export {
  decodeBody,
  hasBodyDecoder,
  type PushBody,
  type BinaryBody,
  type BodySecrets,
  type DecodeBodyOptions,
} from './codec/body.js';
// Push content beyond SI/SL/CO: MMS PDUs, OMA Client Provisioning, EMN, SyncML notifications.
export {
  decodeMmsPdu,
  encodeMmsPdu,
  type MmsPdu,
  type MmsPduInit,
  type EncodedString,
  type MmsTime,
  type MmsFrom,
} from './codec/mms/pdu.js';
export { MMS_FIELDS, type MmsField } from './codec/mms/fields.js';
export { MESSAGE_TYPES as MMS_MESSAGE_TYPES } from './codec/mms/values.js';
export {
  decodeProvisioning,
  encodeProvisioning,
  provisioningFromTree,
  provisioningToTree,
  type ProvisioningDocument,
  type ProvisioningCharacteristic,
  type ProvisioningParm,
} from './codec/wbxml/provisioning.js';
export {
  verifyProvisioning,
  provisioningMac,
  userPinMacPin,
  imsiSemiOctets,
  SEC_METHODS,
  type ProvisioningAuthentication,
  type ProvisioningSecrets,
  type SecMethod,
} from './codec/wbxml/provisioningSecurity.js';
export { PROV } from './codec/wbxml/provisioningVocabulary.js';
export { decodeEmn, encodeEmn, type EmailNotification } from './codec/wbxml/emn.js';
export {
  decodeSyncmlNotification,
  encodeSyncmlNotification,
  notificationDigest,
  type SyncmlNotification,
  type SyncmlNotificationInit,
  type SyncmlSecrets,
  type SyncAlert,
  type UiMode,
} from './codec/syncml/notification.js';
export { compilePushXml, type CompiledPush } from './codec/compile.js';
export { pushToJson, bodyJson, type PushJson } from './codec/json.js';
// The dissection tree (docs/inspector.md): every octet of a push under the node that says what it is.
export { dissect, treeJson, type DissectNode, type DissectInput, type DissectOptions } from './dissect/index.js';
export { lendHost, type Host, type CharsetConverter } from './codec/host.js';
export { WbxmlTokenizer, WbxmlEvent, type TokenizeOptions } from './codec/wbxml/tokenizer.js';
export {
  decodeWbxml,
  type WbxmlDocument,
  type WbxmlElement,
  type WbxmlNode,
  type WbxmlAttribute,
} from './codec/wbxml/tree.js';
export { encodeWbxml, type WbxmlEncodeOptions } from './codec/wbxml/encoder.js';
export { vocabulary, type Vocabulary, type VocabularyDefinition } from './codec/wbxml/vocabulary.js';
export { SI, SL, CO, EMN } from './codec/wbxml/vocabularies.js';
export { parseXml } from './codec/wbxml/xml.js';
export { decodeSi, encodeSi, type ServiceIndication, type SiAction } from './codec/wbxml/si.js';
export { decodeSl, encodeSl, type ServiceLoading, type SlAction } from './codec/wbxml/sl.js';
export { decodeCo, encodeCo, type CacheOperation } from './codec/wbxml/co.js';
// WDP over SMS: UDH, text header, SMPP carriage, reassembly, segmentation.
export type { WdpDatagram, Segment } from './wdp/datagram.js';
export {
  decodeUdh,
  writeUdh,
  udhLength,
  Iei,
  type UserDataHeader,
  type UdhInit,
  type Concatenation,
  type Ports,
  type InformationElement,
} from './wdp/udh.js';
export { decodeTextHeader, encodeTextHeader, hasTextHeader, type TextHeader } from './wdp/textHeader.js';
export { segmentFromUserData, type UserDataContext } from './wdp/userData.js';
export { collectDatagram } from './wdp/collect.js';
export {
  Reassembler,
  DEFAULT_REASSEMBLER_OPTIONS,
  type ReassemblerOptions,
  type ReassemblerStats,
  type LostMessage,
  type LossReason,
  type EvictionPolicy,
  type RejectedSegment,
  type RejectReason,
} from './wdp/reassembler.js';
export {
  segmentPayload,
  splitPayload,
  plan as planSegments,
  ReferenceAllocator,
  WDP_PORT_PUSH,
  WDP_PORT_WSP,
  SMS_USER_DATA_OCTETS,
  MAX_SEGMENTS,
  type SegmentOptions,
} from './wdp/segmenter.js';
export {
  decodeShortMessagePdu,
  encodeShortMessagePdu,
  CommandId,
  MAX_SHORT_MESSAGE_PDU,
  type ShortMessagePdu,
  type ShortMessageInit,
} from './wdp/smpp/shortMessage.js';
export { segmentFromSmpp, ESM_CLASS_UDHI, type SmppCarriage } from './wdp/smpp/carriage.js';
export { segmentFromShortMessagePdu } from './wdp/smpp/deliverSegment.js';
export {
  smppShortMessages,
  MAX_MESSAGE_PAYLOAD,
  type SmppCarriageMode,
  type SmppSubmitOptions,
} from './wdp/smpp/submit.js';
export { alphabetOf, dataCodingName, type Alphabet } from './wdp/smpp/dataCoding.js';
export { TlvTag, TLV_NAMES, type Tlv } from './wdp/smpp/tlv.js';
// The SMPP bearer: framing, the ESME link, the submitter, and the SMSC simulator.
export { PduFramer, MAX_PDU_LENGTH } from './wdp/smpp/framing.js';
export { CommandStatus, isTemporary } from './wdp/smpp/status.js';
export {
  EsmeLink,
  parseSmscUrl,
  type EsmeLinkEvents,
  type EsmeLinkOptions,
  type EsmeLinkStats,
  type LostPush,
  type SmscUrl,
} from './wdp/smpp/link.js';
export { SmppSubmitter, type SubmitOptions, type SubmitterOptions } from './wdp/smpp/submitter.js';
export {
  SmscSimulator,
  type SmscOptions,
  type SmscFaults,
  type SmscAccount,
  type SmscStats,
  type SmscEvents,
} from './smsc/simulator.js';
export { AddressRange, AddressRangeError } from './smsc/addressRange.js';
// The state layer (durable segments, duplicate memories, registrations, queues): memory, lmdb, Redis.
export { openStore, parseStoreSpec, type StoreSpec } from './store/open.js';
export { StoreIntake } from './wdp/smpp/storeIntake.js';
export { StoredRegistrations } from './cai/store.js';
export { StoreError, StoreErrorCode } from './store/errors.js';
export { MemoryStore } from './store/memory.js';
// Types only: the backends load their client libraries on first use, through openStore.
export type { LmdbStore } from './store/lmdb/lmdbStore.js';
export type { RedisStore } from './store/redis/redisStore.js';
export { messageKey } from './store/keys.js';
export {
  DEFAULT_STORE_OPTIONS,
  STORE_SYNC,
  SYNC_INTERVAL_MS,
  type StoreOptions,
  type StoreSync,
  type ReassemblyBounds,
} from './store/options.js';
export type {
  Store,
  StoreBackend,
  StoreEvents,
  StoreReport,
  ForgottenEarly,
  StoredSegment,
  MessageIdentity,
  SegmentStore,
  SegmentOutcome,
  CompletedMessage,
  SweepResult,
  PendingMessage,
  LostMessage as StoredLostMessage,
  LossReason as StoredLossReason,
  EvictionBound,
  DuplicateMemory,
  RecordTable,
  StoredRecord,
  JsonValue,
  QueueStore,
  QueueEntry,
  QueueItem,
  QueueCounts,
  QueueConsumer,
  ConsumeOptions,
} from './store/types.js';
// The Push Client-Application Interface (OMA-TS-PushCAI-V1_1).
export {
  PushClient,
  PushDeferred,
  type PushClientOptions,
  type PushClientStats,
  type PushClientEvents,
  type UnroutedPush,
  type UnroutedReason,
} from './cai/client.js';
export { Registration, type RegistrationResponse, type RegistrationAccepted } from './cai/registration.js';
export { PushEvent, type PushHeader, type PushProtocol } from './cai/pushEvent.js';
export { REGISTRATION_FAILURE, type RegistrationFailureReason } from './cai/failures.js';
export { DUPLICATE_SETTLE_MS, DUPLICATE_SETTLE_POLL_MS } from './cai/registrar.js';
export type {
  RegistrationRequest,
  ConnectionProfile,
  WhitelistEntry,
  PushHandler,
  RegistrationRejected,
  RegistrationRejectReason,
  RegistrationCompletion,
  RegistrationFailure,
  RegistrationView,
  BoundProfile,
  RegistrationState,
  RegistrationStats,
  DeregistrationResponse,
  DeregistrationOptions,
  RegistrationPolicy,
} from './cai/types.js';
export type { Cpi } from './cai/cpi.js';
export { applicationKey, canonicalApplicationId, type ApplicationKey } from './cai/applicationId.js';
export { normalizeAddress } from './cai/whitelist.js';
export { PROTOCOLS, type ProtocolSupport } from './cai/protocols.js';
export { RegistrationStore, RegistrationStoreError, type StoredRegistration } from './cai/store.js';
export { parseEncapsulated, sendCpi, MAX_HTTP_PUSH_HEADER_OCTETS, type HttpPush } from './cai/otaHttp.js';
export { HttpPushReceiver, type HttpPushReceiverOptions, type HttpPushOutcome } from './cai/otaHttpReceiver.js';
export {
  DEFAULT_OTA_HTTP_LIMITS,
  OtaHttpBudget,
  resolveOtaHttpLimits,
  type OtaHttpLimits,
  type OtaHttpStats,
} from './cai/otaHttpBudget.js';

// Push Proxy Gateway (PAP 2.0 over HTTP -> SMS over SMPP), docs/ppg.md
export { Ppg, type PpgOptions, type PpgEvents } from './ppg/ppg.js';
export { PapCode, MessageState, PapError } from './ppg/codes.js';
export { parsePapRequest, type PapRequest } from './ppg/request.js';
export {
  parseControlEntity,
  type PapMessage,
  type PushMessage as PapPushMessage,
  type StatusQueryMessage,
  type CancelMessage,
  type QualityOfService,
  type DeliveryMethod,
} from './ppg/pap.js';
export { parseClientAddress, type ClientAddress } from './ppg/address.js';
export { buildPushPdu, type PushContent } from './ppg/content.js';
export { admit, type PushInitiator } from './ppg/initiators.js';
export { PpgTransceiver, type PpgSubmit } from './ppg/transceiver.js';
export {
  readDeliveryReceipt,
  isDeliveryReceipt,
  SmppMessageState,
  ESM_CLASS_DELIVERY_RECEIPT,
  type DeliveryReceipt,
} from './ppg/receipt.js';

// Security: TLS settings, the login throttle, connection caps, URL masking, secret files (docs/security.md).
export { SecurityError, SecurityErrorCode } from './security/errors.js';
export { maskUrl, maskUrlsIn } from './security/maskUrl.js';
export { checkSecretFileMode } from './security/fileMode.js';
export {
  loadTlsClientFiles,
  loadTlsServerFiles,
  type TlsClientSettings,
  type TlsServerSettings,
  type TlsClientFiles,
} from './security/tlsOptions.js';
export {
  GuessThrottle,
  DEFAULT_THROTTLE_LIMITS,
  type ThrottleLimits,
  type ThrottleEvent,
} from './security/throttle.js';
export { ConnectionLimiter, type ConnectionLimits } from './security/connectionLimiter.js';
export { DEFAULT_SESSION_LIMITS, type SessionLimits, type SessionTimeout } from './smsc/sessionGuard.js';
export { SMPPS_PORT } from './wdp/smpp/link.js';

// Operations (docs/operations.md): Prometheus metrics, the health port, structured logs.
export { Metrics, type MetricsOptions, type Observable } from './ops/metrics.js';
export { OpsServer, type OpsServerOptions, type ReadinessCheck } from './ops/health.js';
export { createLogger, LOG_LEVELS, type LogLevel } from './ops/log.js';
