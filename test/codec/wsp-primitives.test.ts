import { describe, expect, it } from 'vitest';
import { ByteReader } from '../../src/codec/reader.js';
import { ByteWriter } from '../../src/codec/writer.js';
import {
  readDateValue,
  readIntegerValue,
  readQValue,
  readQuotedString,
  readTextString,
  readTextValue,
  readValueLength,
  readVersionValue,
  valueEnd,
  writeIntegerValue,
  writeQValue,
  writeTextString,
  writeValueLength,
  writeVersionValue,
} from '../../src/codec/wsp/primitives.js';
import { hex, thrown } from '../helpers.js';

const r = (h: string) => new ByteReader(hex(h));
const w = (f: (w: ByteWriter) => void) => {
  const x = new ByteWriter();
  f(x);
  return Buffer.from(x.finish()).toString('hex');
};

// Encodings from the ABNF of WAP-230-WSP 8.4.2.1-8.4.2.3.
describe('WSP basic rules', () => {
  it('Integer-value: Short-integer 0x80|v, Long-integer length + big-endian octets', () => {
    expect(readIntegerValue(r('85'))).toBe(5);
    expect(readIntegerValue(r('020100'))).toBe(256);
    expect(w((x) => writeIntegerValue(x, 127))).toBe('ff');
    expect(w((x) => writeIntegerValue(x, 128))).toBe('0180');
    expect(w((x) => writeIntegerValue(x, 70000))).toBe('03011170');
  });
  it('Long-integer with length 0 or over 30 is a BAD_VALUE', () => {
    expect(thrown(() => readIntegerValue(r('00'))).code).toBe('BAD_VALUE');
  });
  it('Value-length: short length, or Length-quote 31 + uintvar', () => {
    expect(readValueLength(r('03aabbcc'))).toBe(3);
    const long = '1f20' + '00'.repeat(32);
    expect(readValueLength(r(long))).toBe(32);
    expect(w((x) => writeValueLength(x, 30))).toBe('1e');
    expect(w((x) => writeValueLength(x, 31))).toBe('1f1f');
  });
  it('Value-length past the end is BAD_LENGTH at the length octet', () => {
    const e = thrown(() => readValueLength(r('05aa')));
    expect(e.code).toBe('BAD_LENGTH');
    expect(e.offset).toBe(0);
  });
  it('Text-string: Quote (127) precedes text starting at or above 128', () => {
    expect(readTextString(r('616200'))).toBe('ab');
    expect(readTextString(r('7fc3a900'))).toBe('é');
    expect(w((x) => writeTextString(x, 'é'))).toBe('7fc3a900');
    expect(w((x) => writeTextString(x, ''))).toBe('00');
  });
  it('Text-string without its NUL is TRUNCATED', () => {
    expect(thrown(() => readTextString(r('6162'))).code).toBe('TRUNCATED');
  });
  it('Quoted-string and Text-value (No-value, Token-text, Quoted-string)', () => {
    expect(readQuotedString(r('22612062 00'.replace(' ', '')))).toBe('a b');
    expect(readTextValue(r('00'))).toBe('');
    expect(readTextValue(r('746f6b00'))).toBe('tok');
    expect(readTextValue(r('22782079 00'.replace(' ', '')))).toBe('x y');
  });
  it('Q-value: 1..100 is (q-1)/100, 101..1099 is (q-100)/1000', () => {
    expect(readQValue(r('33'))).toBe(0.5);
    expect(readQValue(r('01'))).toBe(0);
    expect(readQValue(r('8379'))).toBe(0.405); // uintvar 505
    expect(w((x) => writeQValue(x, 0.5))).toBe('33');
    expect(w((x) => writeQValue(x, 0.333))).toBe('8331'); // 433
  });
  it('Version-value: major in bits 6-4, minor in 3-0, 15 = no minor', () => {
    expect(readVersionValue(r('92'))).toBe('1.2');
    expect(readVersionValue(r('9f'))).toBe('1');
    expect(readVersionValue(r('312e3200'))).toBe('1.2');
    expect(w((x) => writeVersionValue(x, '1.3'))).toBe('93');
  });
  it('Date-value: seconds since the epoch as Long-integer', () => {
    // 0x386d4380 = 946684800 = 2000-01-01T00:00:00Z
    expect(readDateValue(r('04386d4380'))).toBe('2000-01-01T00:00:00Z');
  });
  it('valueEnd finds the extent of any value by its first octet', () => {
    expect(valueEnd(r('03aabbccdd'))).toBe(4);
    expect(valueEnd(r('1f02aabbcc'))).toBe(4);
    expect(valueEnd(r('616200ff'))).toBe(3);
    expect(valueEnd(r('85ff'))).toBe(1);
  });
});
