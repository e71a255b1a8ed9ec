// The parts of the `smpp` package that wappush uses: the SMSC simulator's server side (src/smsc)
// and takeOverIntake (src/wdp/smpp/framing.ts); the ESME link and the submitter run their own
// session (esmeSession.ts). The package ships no types; package.json pins it to the exact
// version these declarations describe (0.5.1), because takeOverIntake replaces some of its
// private members, declared below under "private, replaced". A test
// (test/wdp/smppInternals.test.ts) checks them against the installed package.
declare module 'smpp' {
  import type { EventEmitter } from 'node:events';
  import type { Server as NetServer, Socket } from 'node:net';

  export class PDU {
    constructor(command: string | Buffer, options?: Record<string, unknown>);
    command: string;
    command_id: number;
    command_status: number;
    sequence_number: number;
    [field: string]: unknown;
    isResponse(): boolean;
    response(options?: Record<string, unknown>): PDU;
    toBuffer(): Buffer;
    static fromBuffer(buffer: Buffer): PDU | false;
  }

  /** A command shortcut: builds the named PDU from `options` and sends it. */
  export type CommandShortcut = (
    options?: Record<string, unknown> | ((pdu: PDU) => void),
    responseCallback?: (pdu: PDU) => void,
    sendCallback?: (pdu: PDU) => void,
  ) => boolean;

  export class Session extends EventEmitter {
    socket: Socket;
    paused: boolean;
    /** The last sequence_number it gave a request; the next is this + 1 (wrapping at 0x7FFFFFFF). */
    sequence: number;
    server?: Server;

    // Private, replaced by framing.ts's takeOverIntake (0.5.1): the response callbacks by
    // sequence_number, and the reader that resume() calls.
    _callbacks: Record<number, (pdu: PDU) => void>;
    _extractPDUs: () => void;

    send(pdu: PDU, responseCallback?: (pdu: PDU) => void, sendCallback?: (pdu: PDU) => void): boolean;
    pause(): void;
    resume(): void;
    close(callback?: () => void): void;
    destroy(callback?: () => void): void;

    // One shortcut per command in the package's table; these are the ones declared for use.
    bind_transmitter: CommandShortcut;
    bind_receiver: CommandShortcut;
    bind_transceiver: CommandShortcut;
    unbind: CommandShortcut;
    enquire_link: CommandShortcut;
    [command: string]: unknown;
  }

  export class Server extends NetServer {
    sessions: Session[];
  }

  export function createServer(options: Record<string, unknown>, listener?: (session: Session) => void): Server;
  export function createServer(listener?: (session: Session) => void): Server;
  export function connect(options: Record<string, unknown> | string, listener?: () => void): Session;
  export const errors: Record<string, number>;
}
