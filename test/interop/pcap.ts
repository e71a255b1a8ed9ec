/**
 * A minimal pcap writer for the tshark interop tests: raw IPv4 packets (LINKTYPE_RAW), UDP
 * datagrams and TCP streams with a handshake, so tshark reassembles and dissects as it would a
 * capture. Format: the libpcap file format (pcap-savefile(5)); IPv4/UDP/TCP headers per RFC 791,
 * 768 and 793 with real checksums.
 */
const LINKTYPE_RAW = 101;

function checksum(buf: Buffer): number {
  let sum = 0;
  for (let i = 0; i + 1 < buf.length; i += 2) sum += buf.readUInt16BE(i);
  if (buf.length % 2) sum += buf[buf.length - 1] << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return ~sum & 0xffff;
}

const SRC = [127, 0, 0, 2];
const DST = [127, 0, 0, 1];

function ipv4(protocol: number, payload: Buffer, reverse = false): Buffer {
  const h = Buffer.alloc(20);
  h[0] = 0x45;
  h.writeUInt16BE(20 + payload.length, 2);
  h.writeUInt16BE(0x4000, 6);
  h[8] = 64;
  h[9] = protocol;
  Buffer.from(reverse ? DST : SRC).copy(h, 12);
  Buffer.from(reverse ? SRC : DST).copy(h, 16);
  h.writeUInt16BE(checksum(h), 10);
  return Buffer.concat([h, payload]);
}

function pseudo(protocol: number, length: number, reverse: boolean): Buffer {
  return Buffer.from([...(reverse ? DST : SRC), ...(reverse ? SRC : DST), 0, protocol, length >> 8, length & 0xff]);
}

export function udp(srcPort: number, dstPort: number, data: Uint8Array): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(srcPort, 0);
  h.writeUInt16BE(dstPort, 2);
  h.writeUInt16BE(8 + data.length, 4);
  const seg = Buffer.concat([h, Buffer.from(data)]);
  seg.writeUInt16BE(checksum(Buffer.concat([pseudo(17, seg.length, false), seg])) || 0xffff, 6);
  return ipv4(17, seg);
}

function tcpSegment(
  srcPort: number,
  dstPort: number,
  seq: number,
  ack: number,
  flags: number,
  data: Uint8Array,
  reverse: boolean,
): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(srcPort, 0);
  h.writeUInt16BE(dstPort, 2);
  h.writeUInt32BE(seq >>> 0, 4);
  h.writeUInt32BE(ack >>> 0, 8);
  h[12] = 5 << 4;
  h[13] = flags;
  h.writeUInt16BE(65535, 14);
  const seg = Buffer.concat([h, Buffer.from(data)]);
  seg.writeUInt16BE(checksum(Buffer.concat([pseudo(6, seg.length, reverse), seg])), 16);
  return ipv4(6, seg, reverse);
}

/** A TCP connection client -> server: handshake, then each message as one PSH segment, each acknowledged. */
export function tcpStream(clientPort: number, serverPort: number, messages: Uint8Array[]): Buffer[] {
  const SYN = 0x02,
    ACK = 0x10,
    PSH = 0x08;
  let c = 1000,
    s = 5000;
  const out = [
    tcpSegment(clientPort, serverPort, c, 0, SYN, new Uint8Array(0), false),
    tcpSegment(serverPort, clientPort, s, c + 1, SYN | ACK, new Uint8Array(0), true),
    tcpSegment(clientPort, serverPort, c + 1, s + 1, ACK, new Uint8Array(0), false),
  ];
  c += 1;
  s += 1;
  for (const m of messages) {
    out.push(tcpSegment(clientPort, serverPort, c, s, PSH | ACK, m, false));
    c += m.length;
    out.push(tcpSegment(serverPort, clientPort, s, c, ACK, new Uint8Array(0), true));
  }
  return out;
}

export function pcap(packets: Buffer[]): Buffer {
  const g = Buffer.alloc(24);
  g.writeUInt32LE(0xa1b2c3d4, 0);
  g.writeUInt16LE(2, 4);
  g.writeUInt16LE(4, 6);
  g.writeUInt32LE(65535, 16);
  g.writeUInt32LE(LINKTYPE_RAW, 20);
  const records = packets.map((p, i) => {
    const h = Buffer.alloc(16);
    h.writeUInt32LE(1_764_000_000 + i, 0);
    h.writeUInt32LE(p.length, 8);
    h.writeUInt32LE(p.length, 12);
    return Buffer.concat([h, p]);
  });
  return Buffer.concat([g, ...records]);
}
