// The PPG benchmark's phone (bench/ppg.ts): a bare SMPP receiver bound to the simulator that
// answers every deliver_sm with ESME_ROK and looks at nothing else in it. Without a receiver
// the simulator keeps each push unrouted for its unroutedTimeoutMs (docs/simulator.md), memory
// growing over a run, and no delivery receipt comes back to the PPG that asked for one; with
// the project's EsmeLink as the phone the driver's process decoded every push's WDP datagram.
import net from 'node:net';
import { headerPdu, messageIdResponse } from '../src/wdp/smpp/framing.js';
import { CommandStatus } from '../src/wdp/smpp/status.js';

const BIND_RECEIVER = 0x00000001;
const BIND_RECEIVER_RESP = 0x80000001;
const DELIVER_SM = 0x00000005;
const ENQUIRE_LINK = 0x00000015;
const UNBIND = 0x00000006;
const HEADER = 16;

/** bind_receiver (SMPP v3.4 4.1.1): system_id, password, system_type, version, ton, npi, address_range. */
function bindReceiver(systemId: string, password: string, addressRange: string): Buffer {
  const text = (s: string) => Buffer.from(`${s}\0`, 'latin1');
  const body = Buffer.concat([text(systemId), text(password), text(''), Buffer.of(0x34, 0, 0), text(addressRange)]);
  const b = Buffer.concat([headerPdu(BIND_RECEIVER, 0, 1), body]);
  b.writeUInt32BE(b.length, 0);
  return b;
}

export interface Phone {
  /** deliver_sm answered so far. */
  readonly delivered: number;
  close(): void;
}

/** Binds as a receiver at 127.0.0.1:`port`; resolves once the bind is answered ESME_ROK. */
export function bindPhone(port: number, systemId: string, password: string, addressRange: string): Promise<Phone> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    let rest: Buffer | undefined;
    let delivered = 0;
    const phone: Phone = {
      get delivered() {
        return delivered;
      },
      close: () => socket.destroy(),
    };
    socket.once('connect', () => socket.write(bindReceiver(systemId, password, addressRange)));
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      const b = rest === undefined ? chunk : Buffer.concat([rest, chunk]);
      const answers: Buffer[] = [];
      let at = 0;
      while (b.length - at >= HEADER) {
        const length = b.readUInt32BE(at);
        if (length < HEADER) {
          socket.destroy();
          return reject(new Error(`the phone read a command_length of ${length}`));
        }
        if (b.length - at < length) break;
        const command = b.readUInt32BE(at + 4);
        const sequence = b.readUInt32BE(at + 12);
        if (command === DELIVER_SM) {
          delivered++;
          answers.push(messageIdResponse(DELIVER_SM, CommandStatus.ESME_ROK, sequence));
        } else if (command === ENQUIRE_LINK || command === UNBIND) {
          answers.push(headerPdu((command | 0x80000000) >>> 0, CommandStatus.ESME_ROK, sequence));
        } else if (command === BIND_RECEIVER_RESP) {
          const status = b.readUInt32BE(at + 8);
          if (status === CommandStatus.ESME_ROK) resolve(phone);
          else {
            socket.destroy();
            reject(new Error(`the phone's bind was refused: command_status ${status}`));
          }
        }
        at += length;
      }
      rest = at === b.length ? undefined : b.subarray(at);
      // One write for every answer this chunk called for.
      if (answers.length === 1) socket.write(answers[0]);
      else if (answers.length > 1) socket.write(Buffer.concat(answers));
    });
  });
}
