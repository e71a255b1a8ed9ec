/**
 * OMA Client Provisioning documents (OMA-WAP-ProvCont-v1_1): wap-provisioningdoc, nested
 * characteristics and their parms, object <-> element tree <-> WBXML (both code pages).
 */
import type { Warned } from '../warnings.js';
import { DecodeError, EncodeError } from '../errors.js';
import { decodeDocument } from './document.js';
import { encodeWbxml, type WbxmlEncodeOptions } from './encoder.js';
import { PROV } from './provisioningVocabulary.js';
import type { TokenizeOptions } from './tokenizer.js';
import { offsetOf, type Where } from './origin.js';
import { missing } from './lenient.js';
import { attributeOf, type WbxmlElement } from './tree.js';
import type { ProvisioningAuthentication } from './provisioningSecurity.js';

export interface ProvisioningParm {
  name: string;
  value?: string;
}

export interface ProvisioningCharacteristic {
  /** NAPDEF, PXLOGICAL, APPLICATION, BOOTSTRAP, ... */
  type: string;
  parms: ProvisioningParm[];
  characteristics: ProvisioningCharacteristic[];
}

export interface ProvisioningDocument extends Warned {
  type: 'provisioning';
  version?: string;
  characteristics: ProvisioningCharacteristic[];
  /** From the SEC and MAC content-type parameters, when decoded as a push body. */
  authentication?: ProvisioningAuthentication;
}

function elements(el: WbxmlElement): WbxmlElement[] {
  return el.children.filter((c): c is WbxmlElement => typeof c === 'object' && 'name' in c);
}

function characteristicFrom(el: WbxmlElement, where: Where): ProvisioningCharacteristic {
  const type = attributeOf(el, 'type')?.value;
  if (!type)
    throw new DecodeError('BAD_DOCUMENT', offsetOf(where, el), '<characteristic> without the required type attribute');
  const c: ProvisioningCharacteristic = { type, parms: [], characteristics: [] };
  for (const child of elements(el)) {
    if (child.name === 'parm') {
      const name = attributeOf(child, 'name')?.value;
      if (!name)
        throw new DecodeError(
          'BAD_DOCUMENT',
          offsetOf(where, child),
          `<parm> without the required name attribute in ${type}`,
        );
      const value = attributeOf(child, 'value');
      c.parms.push(value ? { name, value: value.value } : { name });
    } else if (child.name === 'characteristic') c.characteristics.push(characteristicFrom(child, where));
  }
  return c;
}

export function provisioningFromTree(root: WbxmlElement, where: Where = 0): ProvisioningDocument {
  if (root.name !== 'wap-provisioningdoc')
    throw new DecodeError(
      'BAD_DOCUMENT',
      offsetOf(where, root),
      `root element is <${root.name}>, not <wap-provisioningdoc>`,
    );
  const doc: ProvisioningDocument = { type: 'provisioning', characteristics: [] };
  const version = attributeOf(root, 'version')?.value;
  if (version !== undefined) doc.version = version;
  for (const child of elements(root))
    if (child.name === 'characteristic') doc.characteristics.push(characteristicFrom(child, where));
  if (doc.characteristics.length === 0)
    missing(offsetOf(where, root), '<wap-provisioningdoc> without the <characteristic> its DTD requires');
  return doc;
}

function characteristicTree(c: ProvisioningCharacteristic): WbxmlElement {
  if (!c.type) throw new EncodeError('BAD_INPUT', 'a characteristic needs a type');
  return {
    name: 'characteristic',
    attributes: [{ name: 'type', value: c.type }],
    children: [
      ...(c.parms ?? []).map((p): WbxmlElement => ({
        name: 'parm',
        attributes:
          p.value === undefined
            ? [{ name: 'name', value: p.name }]
            : [
                { name: 'name', value: p.name },
                { name: 'value', value: p.value },
              ],
        children: [],
      })),
      ...(c.characteristics ?? []).map(characteristicTree),
    ],
  };
}

export function provisioningToTree(doc: Omit<ProvisioningDocument, 'type' | 'authentication'>): WbxmlElement {
  return {
    name: 'wap-provisioningdoc',
    attributes: doc.version === undefined ? [] : [{ name: 'version', value: doc.version }],
    children: doc.characteristics.map(characteristicTree),
  };
}

export function decodeProvisioning(
  input: Uint8Array,
  options?: Omit<TokenizeOptions, 'vocabulary'>,
): ProvisioningDocument {
  return decodeDocument(input, PROV, provisioningFromTree, options);
}

export function encodeProvisioning(
  doc: Omit<ProvisioningDocument, 'type' | 'authentication'>,
  options?: WbxmlEncodeOptions,
): Uint8Array {
  return encodeWbxml(provisioningToTree(doc), PROV, options);
}
