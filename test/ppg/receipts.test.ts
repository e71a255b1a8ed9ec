// Delivery receipts: the simulator writes them as registered_delivery asks, the PPG's
// transceiver reads the TLV form and the SMPP v3.4 Appendix B text form.
import { afterEach, describe, expect, it } from 'vitest';
import { readDeliveryReceipt, isDeliveryReceipt } from '../../src/ppg/receipt.js';
import { PpgTransceiver } from '../../src/ppg/transceiver.js';
import type { DeliveryReceipt } from '../../src/ppg/receipt.js';
import type { SmscFaults } from '../../src/smsc/simulator.js';
import { decodeShortMessagePdu, encodeShortMessagePdu } from '../../src/wdp/smpp/shortMessage.js';
import { simulatorWithPhone } from './behindSimulator.js';
import { until } from './harness.js';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

async function setup(faults: SmscFaults = {}) {
  const sim = await simulatorWithPhone({ faults });
  open.push(sim);
  const { smsc } = sim;
  const tx = new PpgTransceiver(sim.smscUrl);
  await tx.start();
  open.push(tx);
  const receipts: DeliveryReceipt[] = [];
  tx.on('receipt', (r) => receipts.push(r));
  return { smsc, tx, receipts };
}

describe('delivery receipts', () => {
  it('registered_delivery 1: one DELIVRD receipt per SMS, naming its message_id', async () => {
    const { smsc, tx, receipts } = await setup();
    const ids = await tx.submit(new Uint8Array(300), { to: '+15551230000', registeredDelivery: 1, reference: 7 });
    expect(ids).toHaveLength(3);
    await until(() => receipts.length === 3, 'three receipts');
    expect(receipts.map((r) => r.messageId).sort()).toEqual([...ids].sort());
    expect(receipts.every((r) => r.state === 2 && r.error === '000')).toBe(true);
    expect(smsc.stats.receipts).toBe(3);
  });

  it('registered_delivery 0 asks none, 2 asks only failures', async () => {
    const { smsc, tx, receipts } = await setup();
    await tx.submit(new Uint8Array(10), { to: '+15551230000', registeredDelivery: 0 });
    await tx.submit(new Uint8Array(10), { to: '+15551230000', registeredDelivery: 2 });
    await until(() => smsc.stats.delivered === 2, 'both delivered');
    // Waits for something that must NOT happen: a receipt, which would come within this.
    await new Promise((r) => setTimeout(r, 100));
    expect(receipts).toEqual([]);
  });

  it('the failure fault turns a receipt to UNDELIV; the delay fault makes it late', async () => {
    const { tx, receipts } = await setup({ receiptFailureProbability: 1, receiptDelayMs: 150 });
    const started = Date.now();
    const [id] = await tx.submit(new Uint8Array(10), { to: '+15551230000', registeredDelivery: 1 });
    await until(() => receipts.length === 1, 'the receipt');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(receipts[0]).toEqual({ messageId: id, state: 5, error: '001' });
  });

  it('reads the text form alone (SMPP v3.4 Appendix B layout) and ignores non-receipts', () => {
    const text =
      'id:0123456789 sub:001 dlvrd:001 submit date:2612011020 done date:2612011021 stat:DELIVRD err:000 text:hi';
    const pdu = decodeShortMessagePdu(
      encodeShortMessagePdu({ commandId: 5, esmClass: 0x04, shortMessage: Buffer.from(text, 'latin1') }),
    );
    expect(isDeliveryReceipt(pdu)).toBe(true);
    expect(readDeliveryReceipt(pdu)).toEqual({ messageId: '0123456789', state: 2, error: '000' });
    const undeliv = decodeShortMessagePdu(
      encodeShortMessagePdu({ commandId: 5, esmClass: 0x04, shortMessage: Buffer.from('id:ab stat:UNDELIV err:123') }),
    );
    expect(readDeliveryReceipt(undeliv)).toEqual({ messageId: 'ab', state: 5, error: '123' });
    const plain = decodeShortMessagePdu(
      encodeShortMessagePdu({ commandId: 5, esmClass: 0x40, shortMessage: Buffer.from('id:1 stat:DELIVRD') }),
    );
    expect(isDeliveryReceipt(plain)).toBe(false);
    const noState = decodeShortMessagePdu(
      encodeShortMessagePdu({ commandId: 5, esmClass: 0x04, shortMessage: Buffer.from('id:1') }),
    );
    expect(readDeliveryReceipt(noState)).toBeUndefined();
  });
});
