/**
 * The Push event of PushCAI 5.3: content, content type and the headers as received, plus
 * where it came from. Routing reads only App ID, content type and port; the headers and the
 * decoded body are computed on first access, so a push nobody looks into is never decoded.
 */
import { decodeBody, type BodySecrets, type PushBody } from '../codec/body.js';
import { headerJson, type PushJson } from '../codec/json.js';
import type { Limits } from '../codec/limits.js';
import type { Parameters } from '../codec/wsp/parameters.js';
import { decodePushPdu, type PushMessage, type PushPduType } from '../codec/wsp/pushPdu.js';
import { ByteReader } from '../codec/reader.js';
import { datagramJson } from '../wdp/collect.js';
import type { WdpDatagram } from '../wdp/datagram.js';

export interface PushHeader {
  name: string;
  value: string | number;
}

export type PushProtocol = 'OTA-WSP' | 'OTA-HTTP';

export interface HttpPushSource {
  /** Headers of the pushed entity, in order, as received. */
  headers: PushHeader[];
  /** The same header lines as octets. */
  rawHeaders: Uint8Array;
  contentTypeParameters: Parameters;
  path: string;
}

/** An OTA-HTTP push as a store queue keeps it: enough to build its event again on any node. */
export interface HttpEventSource {
  content: Uint8Array;
  contentType: string;
  applicationId: string | number;
  port: number | undefined;
  originator: string;
  http: HttpPushSource;
}

interface PushEventCommon {
  contentType: string;
  applicationId: string | number;
  port: number | undefined;
  originator: string;
  recipient: string;
  limits?: Readonly<Partial<Limits>>;
  secrets?: BodySecrets;
}

/**
 * What a PushEvent is made of. An OTA-HTTP push gives its content and the request's headers. An
 * OTA-WSP push gives its datagram and where the body starts in its payload: its headers as
 * received (PushCAI 5.3), `rawHeaders`, `wsp` and the `wdp` of `toJSON()` are read from that
 * Push PDU, so there is no OTA-WSP event without one (the constructor refuses it).
 */
export type PushEventInit = PushEventCommon &
  (
    | { protocol: 'OTA-HTTP'; content: Uint8Array; http: HttpPushSource }
    | {
        protocol: 'OTA-WSP';
        transactionId?: number;
        pduType?: PushPduType;
        portImplied?: boolean;
        datagram: WdpDatagram;
        /** Where the content starts in the datagram's payload: the end of the PDU's header block. */
        bodyOffset: number;
        /** The PDU already decoded (and so validated) by the dispatcher. */
        message?: PushMessage;
      }
  );

export class PushEvent {
  readonly protocol: PushProtocol;
  /** The Push content, a view: of the datagram for OTA-WSP, of the request body for OTA-HTTP. */
  readonly content: Uint8Array;
  readonly contentType: string;
  /** As received: the URN for a registered code or a URI value, the integer for an unregistered code. */
  readonly applicationId: string | number;
  /** The port it arrived at: the WDP destination port (2948 for an SMS without port addressing), or the HTTP receiver's port. */
  readonly port: number | undefined;
  /** True when the SMS carried no port addressing and was taken as sent to 2948, the WSP push port. */
  readonly portImplied: boolean;
  /** The sender: SMS originator (the PPG or SMSC address), or the HTTP peer's address. */
  readonly originator: string;
  readonly recipient: string;
  /** WSP transaction id and PDU type (OTA-WSP only). */
  readonly transactionId: number | undefined;
  readonly pduType: PushPduType | undefined;
  readonly datagram: WdpDatagram | undefined;
  private message: PushMessage | undefined;
  private decodedBody: PushBody | undefined;
  private readonly http: HttpPushSource | undefined;
  private readonly limits: Readonly<Partial<Limits>> | undefined;
  private readonly secrets: BodySecrets | undefined;

  /**
   * Throws a TypeError for an OTA-WSP init without a datagram (an event whose headers and JSON
   * could not be read), a RangeError for a bodyOffset outside the datagram's payload.
   */
  constructor(init: PushEventInit) {
    this.protocol = init.protocol;
    if (init.protocol !== 'OTA-HTTP') checkWspInit(init);
    // Made here, not on first access: `content` stays an own property, so a spread, a
    // structuredClone or Object.keys of an event has it as before.
    this.content = init.protocol === 'OTA-HTTP' ? init.content : init.datagram.payload.subarray(init.bodyOffset);
    this.contentType = init.contentType;
    this.applicationId = init.applicationId;
    this.port = init.port;
    this.originator = init.originator;
    this.recipient = init.recipient;
    this.limits = init.limits;
    this.secrets = init.secrets;
    if (init.protocol === 'OTA-HTTP') {
      this.portImplied = false;
      this.transactionId = undefined;
      this.pduType = undefined;
      this.datagram = undefined;
      this.message = undefined;
      this.http = init.http;
    } else {
      this.portImplied = init.portImplied ?? false;
      this.transactionId = init.transactionId;
      this.pduType = init.pduType;
      this.datagram = init.datagram;
      this.message = init.message;
      this.http = undefined;
    }
  }

  /** Where the content starts in the datagram's payload (OTA-WSP): the content is a view of it from there. */
  private get bodyOffset(): number {
    return this.content.byteOffset - this.datagram!.payload.byteOffset;
  }

  /** What an OTA-HTTP push's request carried besides its content (undefined for OTA-WSP): what a store queue keeps of it. */
  get httpSource(): HttpPushSource | undefined {
    return this.http;
  }

  /** The WSP push PDU fully decoded (OTA-WSP only); throws DecodeError if its headers are malformed. */
  get wsp(): PushMessage | undefined {
    if (this.message === undefined && this.datagram)
      this.message = decodePushPdu(this.datagram.payload, { limits: this.limits });
    return this.message;
  }

  /** Every header as received (PushCAI 5.3), in order; the content type is not among them. */
  get headers(): ReadonlyArray<PushHeader> {
    return this.http ? this.http.headers : this.wsp!.headers;
  }

  /**
   * The header block as received, as octets (PushCAI 5.3): for OTA-WSP the WSP headers of the
   * push PDU, content type first, encoded as sent (a view of the datagram); for OTA-HTTP the
   * header lines.
   */
  get rawHeaders(): Uint8Array {
    if (this.http) return this.http.rawHeaders;
    const payload = this.datagram!.payload;
    // TID, PDU type, then HeadersLen: the header block starts after it and ends where the body starts.
    const r = new ByteReader(payload, 2);
    r.uintvar();
    return payload.subarray(r.pos, this.bodyOffset);
  }

  get contentTypeParameters(): Parameters {
    return this.http ? this.http.contentTypeParameters : this.wsp!.contentTypeParameters;
  }

  /** The decoded content (SI, SL, CO, ... or `binary`); throws DecodeError if it is malformed. */
  get body(): PushBody {
    if (this.decodedBody === undefined) {
      const base = this.datagram ? this.bodyOffset : 0;
      this.decodedBody = decodeBody(this.contentType, this.contentTypeParameters, this.content, {
        limits: this.limits,
        baseOffset: base,
        secrets: this.secrets,
      });
    }
    return this.decodedBody;
  }

  /** The `decode` JSON of docs/architecture.md (`wdp`, `wsp`, `body`); OTA-HTTP pushes carry `http` instead of `wdp`/`wsp`. */
  toJSON(): PushJson & Record<string, unknown> {
    if (this.http) {
      return {
        http: {
          port: this.port,
          originator: this.originator,
          path: this.http.path,
          contentType: this.contentType,
          contentTypeParameters: { ...this.http.contentTypeParameters },
          applicationId: this.applicationId,
          headers: this.http.headers,
        },
        body: this.body,
      } as unknown as PushJson & Record<string, unknown>;
    }
    const m = this.wsp!;
    return {
      wdp: datagramJson(this.datagram!),
      wsp: {
        transactionId: m.transactionId,
        pduType: m.pduType,
        contentType: m.contentType,
        contentTypeParameters: { ...m.contentTypeParameters },
        applicationId: m.applicationId,
        headers: m.headers.map(headerJson),
      },
      body: this.body,
    };
  }
}

/** For callers the init type does not reach (JavaScript, a cast, a parsed object): what it says, checked. */
function checkWspInit(init: { datagram?: WdpDatagram; bodyOffset?: number }): void {
  const payload = init.datagram?.payload;
  if (!(payload instanceof Uint8Array)) {
    throw new TypeError(
      'an OTA-WSP PushEvent is made from its datagram and bodyOffset: its headers, rawHeaders, body and toJSON() read the Push PDU',
    );
  }
  const at = init.bodyOffset;
  if (typeof at !== 'number' || !Number.isInteger(at) || at < 0 || at > payload.length) {
    throw new RangeError(
      `bodyOffset must be an offset within the datagram's payload (0-${payload.length}), not ${String(at)}`,
    );
  }
}
